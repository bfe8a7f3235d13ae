using System.Globalization;
using System.Text.Json;

namespace ModelAudit.Engine.Reporting;

/// <summary>
/// Our own JSON report, schema <c>docs/schema/modelaudit-report-1.1.schema.json</c>: the tool, the run (exit code,
/// the options and policy of the scans), a summary, and every result with its hash, size, duration, outcome and findings; suppressed findings are
/// kept, with their suppression. It is also what <c>-Baseline</c> reads back (<see cref="ReportBaseline"/>).
/// </summary>
public sealed class JsonReportWriter : IReportWriter
{
    /// <summary>Bumped in the minor for added fields, in the major for anything a reader of 1.x would misread.</summary>
    public const string SchemaVersion = "1.1";

    public const string SchemaUri = "https://github.com/modelaudit/ModelAudit.PowerShell/blob/main/docs/schema/modelaudit-report-1.1.schema.json";

    /// <inheritdoc />
    public string Format => "Json";

    /// <inheritdoc />
    public void Write(ScanReport report, Stream output)
    {
        using Utf8JsonWriter json = ReportJson.Open(output);
        json.WriteStartObject();
        json.WriteString("$schema", SchemaUri);
        json.WriteString("schemaVersion", SchemaVersion);
        json.WriteStartObject("tool");
        json.WriteString("name", "ModelAudit");
        json.WriteString("version", report.ToolVersion);
        json.WriteEndObject();
        json.WriteString("createdUtc", ReportJson.Timestamp(report.CreatedUtc));
        json.WriteNumber("exitCode", report.ExitCode);
        IReadOnlyDictionary<string, string> shared = SharedSettings(report.Results);
        WriteSettings(json, report.Settings.Concat(shared.Where(p => !report.Settings.ContainsKey(p.Key))));
        WriteSummary(json, report.Results);
        json.WriteStartArray("results");
        foreach (ModelScanResult result in report.Results)
        {
            WriteResult(json, result, shared);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter json, IReadOnlyList<ModelScanResult> results)
    {
        json.WriteStartObject("summary");
        json.WriteNumber("files", results.Count);
        foreach (ScanOutcome outcome in Enum.GetValues<ScanOutcome>())
        {
            json.WriteNumber(Camel(outcome.ToString()), results.Count(r => r.Outcome == outcome));
        }

        json.WriteNumber("critical", results.Sum(r => r.CriticalCount));
        json.WriteNumber("warning", results.Sum(r => r.WarningCount));
        json.WriteNumber("info", results.Sum(r => r.InfoCount));
        json.WriteNumber("suppressed", results.Sum(r => r.SuppressedCount));
        json.WriteNumber("bytes", results.Sum(r => r.Size));
        json.WriteEndObject();
    }

    // Results merged from several scans (a fleet audit) may have run with different options: the report's settings
    // hold what they all share, and a result states only where its own differ. Results that recorded nothing
    // (made by another tool or an older version) neither add to nor narrow what is shared.
    private static IReadOnlyDictionary<string, string> SharedSettings(IReadOnlyList<ModelScanResult> results)
    {
        var recorded = results.Where(r => r.Settings.Count > 0).ToArray();
        if (recorded.Length == 0)
        {
            return new SortedDictionary<string, string>(StringComparer.Ordinal);
        }

        var shared = new SortedDictionary<string, string>(recorded[0].Settings.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);
        foreach (ModelScanResult result in recorded.Skip(1))
        {
            foreach (string name in shared.Keys.ToArray())
            {
                if (!result.Settings.TryGetValue(name, out string? value) || value != shared[name])
                {
                    shared.Remove(name);
                }
            }
        }

        return shared;
    }

    private static void WriteSettings(Utf8JsonWriter json, IEnumerable<KeyValuePair<string, string>> settings)
    {
        json.WriteStartObject("settings");
        foreach (var (name, value) in settings.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json.WriteString(name, value);
        }

        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, ModelScanResult result, IReadOnlyDictionary<string, string> shared)
    {
        json.WriteStartObject();
        json.WriteString("path", result.Path);
        json.WriteString("format", result.Format);
        json.WriteNumber("size", result.Size);
        if (result.Sha256 is null)
        {
            json.WriteNull("sha256");
        }
        else
        {
            json.WriteString("sha256", result.Sha256);
        }

        json.WriteString("outcome", result.Outcome.ToString());
        // Milliseconds to the microsecond: enough to compare files, and a plain number for dashboards.
        json.WriteNumber("durationMs", Math.Round(result.Duration.TotalMilliseconds, 3));
        json.WriteNumber("tensorCount", result.TensorCount);
        if (result.ParameterCount is { } parameters)
        {
            json.WriteNumber("parameterCount", parameters);
        }

        ReportJson.StringArray(json, "tensorDTypes", result.TensorDTypes);
        ReportJson.StringArray(json, "errors", result.Errors);
        var own = result.Settings.Where(p => !shared.TryGetValue(p.Key, out string? value) || value != p.Value).ToArray();
        if (own.Length > 0)
        {
            WriteSettings(json, own);
        }

        json.WriteStartArray("findings");
        foreach (ModelFinding finding in result.Findings)
        {
            WriteFinding(json, finding);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteFinding(Utf8JsonWriter json, ModelFinding finding)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", finding.RuleId);
        json.WriteString("severity", finding.Severity.ToString());
        json.WriteString("category", finding.Category.ToString());
        json.WriteString("message", finding.Message);
        ReportJson.OptionalString(json, "member", finding.Member);
        if (finding.Offset is { } offset)
        {
            json.WriteNumber("offset", offset);
        }

        ReportJson.OptionalString(json, "evidence", finding.Evidence);
        ReportJson.StringArray(json, "cve", finding.Cve);
        json.WriteString("scanner", finding.Scanner);
        json.WriteString("fingerprint", finding.Fingerprint);
        ReportJson.OptionalString(json, "helpUri", finding.HelpUri);
        if (finding.Suppression is { } suppression)
        {
            json.WriteStartObject("suppression");
            json.WriteString("source", suppression.Source);
            json.WriteString("justification", suppression.Justification);
            if (suppression.Expires is { } expires)
            {
                json.WriteString("expires", expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
