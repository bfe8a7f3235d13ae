using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ModelAudit.Engine.Reporting;

/// <summary>
/// SARIF 2.1.0 for GitHub code scanning and other SARIF consumers: one run, one <c>reportingDescriptor</c> per catalog
/// rule (help page, default level, <c>security-severity</c>), one artifact per file with its SHA-256, one result per
/// finding with a stable <c>partialFingerprints</c> entry, logical locations for members inside containers and
/// <c>suppressions</c> for suppressed findings.
/// </summary>
public sealed class SarifReportWriter : IReportWriter
{
    public const string FingerprintKey = "modelAuditFinding/v1";

    private const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
    private const string InformationUri = "https://github.com/modelaudit/ModelAudit.PowerShell";

    /// <inheritdoc />
    public string Format => "Sarif";

    /// <inheritdoc />
    public void Write(ScanReport report, Stream output)
    {
        using Utf8JsonWriter json = ReportJson.Open(output);
        var ruleIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < report.Rules.Count; i++)
        {
            ruleIndex[report.Rules[i].Id] = i;
        }

        json.WriteStartObject();
        json.WriteString("$schema", SchemaUri);
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();
        WriteTool(json, report);
        WriteInvocation(json, report);
        if (report.BasePath is { } basePath)
        {
            json.WriteStartObject("originalUriBaseIds");
            json.WriteStartObject(ReportLocations.BaseId);
            json.WriteString("uri", ReportLocations.BaseUri(basePath));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        WriteArtifacts(json, report);
        json.WriteStartArray("results");
        for (int artifact = 0; artifact < report.Results.Count; artifact++)
        {
            foreach (ModelFinding finding in report.Results[artifact].Findings)
            {
                WriteResult(json, report, finding, artifact, ruleIndex);
            }
        }

        json.WriteEndArray();
        json.WriteString("columnKind", "utf16CodeUnits");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>SARIF level for a severity: critical → error, warning → warning, info → note.</summary>
    public static string Level(Severity severity) => severity switch
    {
        Severity.Critical => "error",
        Severity.Warning => "warning",
        _ => "note",
    };

    /// <summary>
    /// GitHub's <c>security-severity</c> (a CVSS-like score as a string): above 9.0 is shown Critical, 4.0–6.9 Medium,
    /// below 4.0 Low. A Critical finding means loading runs attacker code (9.8, as CVSS rates unauthenticated RCE);
    /// a Warning is risky but needs review (5.5); an Info is context (2.0).
    /// </summary>
    public static string SecuritySeverity(Severity severity) => severity switch
    {
        Severity.Critical => "9.8",
        Severity.Warning => "5.5",
        _ => "2.0",
    };

    /// <summary>The fingerprint for SARIF: rule, artifact URI, member and evidence (through the finding's own
    /// fingerprint), never offsets, so an alert keeps its identity when a file is rebuilt or the checkout moves.</summary>
    public static string PartialFingerprint(ModelFinding finding, string uri)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{finding.RuleId}\n{uri}\n{finding.Fingerprint}"), hash);
        return Convert.ToHexString(hash[..16]).ToLowerInvariant();
    }

    private static void WriteTool(Utf8JsonWriter json, ScanReport report)
    {
        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", "ModelAudit");
        json.WriteString("version", report.ToolVersion);
        json.WriteString("semanticVersion", report.ToolVersion);
        json.WriteString("informationUri", InformationUri);
        json.WriteStartArray("rules");
        foreach (ModelRule rule in report.Rules)
        {
            json.WriteStartObject();
            json.WriteString("id", rule.Id);
            json.WriteString("name", Identifier(rule.Title));
            json.WriteStartObject("shortDescription");
            json.WriteString("text", rule.Title);
            json.WriteEndObject();
            json.WriteStartObject("fullDescription");
            json.WriteString("text", rule.Description);
            json.WriteEndObject();
            json.WriteString("helpUri", rule.HelpUri);
            json.WriteStartObject("help");
            json.WriteString("text", rule.Remediation);
            json.WriteString("markdown", $"{rule.Remediation}\n\nSee [{rule.Id}]({rule.HelpUri}).");
            json.WriteEndObject();
            json.WriteStartObject("defaultConfiguration");
            json.WriteString("level", Level(rule.Severity));
            json.WriteEndObject();
            json.WriteStartObject("properties");
            ReportJson.StringArray(json, "tags", new[] { "security", rule.Category.ToString() });
            json.WriteString("security-severity", SecuritySeverity(rule.Severity));
            json.WriteString("precision", "high");
            json.WriteString("problem.severity", rule.Severity == Severity.Info ? "recommendation" : Level(rule.Severity));
            if (rule.Cve.Count > 0)
            {
                ReportJson.StringArray(json, "cve", rule.Cve);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteInvocation(Utf8JsonWriter json, ScanReport report)
    {
        json.WriteStartArray("invocations");
        json.WriteStartObject();
        // A file that could not be read at all is a failure of the run, not a finding.
        json.WriteBoolean("executionSuccessful", !report.HadErrors && report.Results.All(r => r.Outcome != ScanOutcome.Error));
        json.WriteNumber("exitCode", report.ExitCode);
        json.WriteString("endTimeUtc", ReportJson.Timestamp(report.CreatedUtc));
        json.WriteStartArray("toolExecutionNotifications");
        foreach (ModelScanResult result in report.Results)
        {
            foreach (string error in result.Errors)
            {
                json.WriteStartObject();
                json.WriteString("level", "error");
                json.WriteStartObject("message");
                json.WriteString("text", $"{result.Path}: {error}");
                json.WriteEndObject();
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
        if (report.Settings.Count > 0)
        {
            json.WriteStartObject("properties");
            foreach (var (name, value) in report.Settings.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndArray();
    }

    private static void WriteArtifacts(Utf8JsonWriter json, ScanReport report)
    {
        json.WriteStartArray("artifacts");
        foreach (ModelScanResult result in report.Results)
        {
            json.WriteStartObject();
            WriteArtifactLocation(json, report, result.Path, null, "location");
            json.WriteNumber("length", result.Size);
            if (result.Sha256 is { } sha256)
            {
                json.WriteStartObject("hashes");
                json.WriteString("sha-256", sha256);
                json.WriteEndObject();
            }

            json.WriteStartObject("properties");
            json.WriteString("format", result.Format);
            json.WriteString("outcome", result.Outcome.ToString());
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteResult(Utf8JsonWriter json, ScanReport report, ModelFinding finding, int artifact, Dictionary<string, int> ruleIndex)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", finding.RuleId);
        if (ruleIndex.TryGetValue(finding.RuleId, out int index))
        {
            json.WriteNumber("ruleIndex", index);
        }

        json.WriteString("kind", "fail");
        json.WriteString("level", Level(finding.Severity));
        json.WriteStartObject("message");
        json.WriteString("text", finding.Message);
        json.WriteEndObject();
        json.WriteStartArray("locations");
        json.WriteStartObject();
        json.WriteStartObject("physicalLocation");
        string uri = WriteArtifactLocation(json, report, finding.Path, artifact);
        json.WriteEndObject();
        if (finding.Member is { } member)
        {
            // A member inside a container has no line in the file: it is named as a logical location.
            json.WriteStartArray("logicalLocations");
            json.WriteStartObject();
            json.WriteString("name", member[(member.LastIndexOf('!') + 1)..]);
            json.WriteString("fullyQualifiedName", member);
            json.WriteString("kind", "member");
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartObject("partialFingerprints");
        json.WriteString(FingerprintKey, PartialFingerprint(finding, uri));
        json.WriteEndObject();
        if (finding.Suppression is { } suppression)
        {
            json.WriteStartArray("suppressions");
            json.WriteStartObject();
            json.WriteString("kind", "external");
            json.WriteString("status", "accepted");
            json.WriteString("justification", suppression.Justification);
            json.WriteStartObject("properties");
            json.WriteString("source", suppression.Source);
            if (suppression.Expires is { } expires)
            {
                json.WriteString("expires", ReportJson.Timestamp(expires));
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        // Offsets shift when a file is rebuilt, so they are kept out of the fingerprint and only described here;
        // a region would need a line, which a binary file has not.
        json.WriteStartObject("properties");
        json.WriteString("severity", finding.Severity.ToString());
        json.WriteString("category", finding.Category.ToString());
        json.WriteString("scanner", finding.Scanner);
        ReportJson.OptionalString(json, "evidence", finding.Evidence);
        if (finding.Offset is { } offset)
        {
            json.WriteNumber("offset", offset);
        }

        if (finding.Cve.Count > 0)
        {
            ReportJson.StringArray(json, "cve", finding.Cve);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Writes an artifact location (relative with <c>uriBaseId</c> when under the base) and returns the URI.</summary>
    private static string WriteArtifactLocation(Utf8JsonWriter json, ScanReport report, string path, int? index, string name = "artifactLocation")
    {
        string? relative = ReportLocations.Relative(path, report.BasePath);
        string uri = relative ?? ReportLocations.Absolute(path);
        json.WriteStartObject(name);
        json.WriteString("uri", uri);
        if (relative is not null)
        {
            json.WriteString("uriBaseId", ReportLocations.BaseId);
        }

        if (index is { } i)
        {
            json.WriteNumber("index", i);
        }

        json.WriteEndObject();
        return uri;
    }

    // SARIF rule names are identifiers ("CodeExecutionCallable"): the title's words, capitalised and joined.
    private static string Identifier(string title)
    {
        var name = new StringBuilder();
        foreach (string word in title.Split(' ', '-', '/').Select(w => new string(w.Where(char.IsAsciiLetterOrDigit).ToArray())).Where(w => w.Length > 0))
        {
            name.Append(char.ToUpperInvariant(word[0])).Append(word.AsSpan(1));
        }

        return name.ToString();
    }
}
