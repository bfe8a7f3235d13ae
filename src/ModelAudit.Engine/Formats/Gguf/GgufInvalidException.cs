namespace ModelAudit.Engine.Formats.Gguf;

/// <summary>The header breaks the GGUF format in a way a loader rejects: reported as that structural finding
/// (<see cref="Rules.RuleIds.GgufHeaderInvalid"/>), not as a parse failure of ours.</summary>
internal sealed class GgufInvalidException : Exception
{
    public GgufInvalidException(string message, long offset, string? evidence = null) : base(message)
    {
        Offset = offset;
        Evidence = evidence;
    }

    public long Offset { get; }

    public string? Evidence { get; }
}
