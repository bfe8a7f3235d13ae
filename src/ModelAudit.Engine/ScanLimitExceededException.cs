namespace ModelAudit.Engine;

/// <summary>A scan budget (opcodes, memo, depth, bytes…) ran out. Coverage becomes Inconclusive, never Clean.</summary>
public sealed class ScanLimitExceededException : ModelAuditException
{
    public ScanLimitExceededException(string limit, string message, long? offset = null) : base(message)
    {
        Limit = limit;
        Offset = offset;
    }

    /// <summary>The name of the limit, as in <see cref="Scanning.ScanLimits"/>.</summary>
    public string Limit { get; }

    /// <summary>Byte offset where the limit was hit, when known.</summary>
    public long? Offset { get; }
}
