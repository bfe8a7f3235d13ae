namespace ModelAudit.Commands;

/// <summary>What the export cmdlets say about a report, in plain types the engine boundary can take.</summary>
internal sealed record ReportRequest(string Format, string? BasePath, bool DeterministicSerialNumber, IReadOnlyDictionary<string, string> Settings);
