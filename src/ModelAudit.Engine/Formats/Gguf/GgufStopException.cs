namespace ModelAudit.Engine.Formats.Gguf;

/// <summary>The header cannot be read further after a finding that was already reported: parsing ends, nothing more is said.</summary>
internal sealed class GgufStopException : Exception
{
}
