namespace ModelAudit.Engine;

/// <summary>Input bytes do not follow the format a scanner expected. Carries the offset where parsing stopped.</summary>
public class ModelFormatException : ModelAuditException
{
    public ModelFormatException(string message, long? offset = null) : base(message) => Offset = offset;

    /// <summary>Byte offset where parsing stopped, when known.</summary>
    public long? Offset { get; }
}
