namespace ModelAudit.Bench;

/// <summary>What one scan said, kept to show beside its timing: a figure for a scan that failed means nothing.</summary>
internal sealed record ScanFigures(string Outcome, string Format, string Rules, int Files);
