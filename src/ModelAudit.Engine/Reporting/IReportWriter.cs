namespace ModelAudit.Engine.Reporting;

/// <summary>
/// Writes one report document from scan results, after the scan (never inside it). Every writer uses
/// <see cref="System.Text.Json.Utf8JsonWriter"/> over the results in input order and the rule catalog, so the same
/// results give the same bytes apart from <see cref="ScanReport.CreatedUtc"/> and per-file durations.
/// </summary>
public interface IReportWriter
{
    /// <summary>The format name a cmdlet asks for: <c>Json</c>, <c>Sarif</c>, <c>CycloneDx</c>.</summary>
    string Format { get; }

    /// <summary>Writes <paramref name="report"/> to <paramref name="output"/> as UTF-8 (no byte-order mark).</summary>
    void Write(ScanReport report, Stream output);
}
