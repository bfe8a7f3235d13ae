using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Reporting;

/// <summary>
/// A CycloneDX 1.6 ML-BOM (ECMA-424): one component per scanned file — <c>machine-learning-model</c> with a
/// <c>modelCard</c> for model formats, <c>file</c> otherwise — with its SHA-256, properties for the scan outcome and
/// rule counts, nested components for the archive members findings were made in, and one vulnerability per CVE that
/// affects those components. The tool is in <c>metadata.tools</c>.
/// </summary>
public sealed class CycloneDxWriter : IReportWriter
{
    private const string Prefix = "modelaudit:";

    // Formats that are not models: text, configuration, pointers, plain archives and executables. Everything else a
    // scanner declares (pickles, checkpoints, weights, GGUF, NumPy) is a model; a format no scanner declares is a file.
    private static readonly HashSet<string> s_notModels = new(StringComparer.Ordinal)
    {
        "Empty", "Unknown", "Text", "Json", "Yaml", "GitLfsPointer", "Elf", "PE", "MachO",
        "Zip", "Tar", "SevenZip", "Gzip", "Bzip2", "Xz", "Zstd", "Lz4", "Zlib", "Lzma",
    };

    private static readonly HashSet<string> s_declared = new(
        ScannerRegistry.Default.Formats.Select(f => f.Name), StringComparer.Ordinal);

    /// <inheritdoc />
    public string Format => "CycloneDx";

    /// <inheritdoc />
    public void Write(ScanReport report, Stream output)
    {
        string[] refs = ComponentRefs(report);
        using Utf8JsonWriter json = ReportJson.Open(output);
        json.WriteStartObject();
        json.WriteString("$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
        json.WriteString("bomFormat", "CycloneDX");
        json.WriteString("specVersion", "1.6");
        json.WriteString("serialNumber", "urn:uuid:" + SerialNumber(report, refs));
        json.WriteNumber("version", 1);
        WriteMetadata(json, report);
        json.WriteStartArray("components");
        for (int i = 0; i < report.Results.Count; i++)
        {
            WriteComponent(json, report.Results[i], refs[i]);
        }

        json.WriteEndArray();
        WriteVulnerabilities(json, report, refs);
        json.WriteEndObject();
    }

    /// <summary>True when the SBOM lists a result of <paramref name="format"/> as a machine-learning model.</summary>
    public static bool IsModelFormat(string format) => s_declared.Contains(format) && !s_notModels.Contains(format);

    // bom-refs must be unique in the document: the file's URI, with the input position added for a file listed twice.
    private static string[] ComponentRefs(ScanReport report)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var refs = new string[report.Results.Count];
        for (int i = 0; i < refs.Length; i++)
        {
            string path = report.Results[i].Path;
            string uri = ReportLocations.Relative(path, report.BasePath) ?? ReportLocations.Absolute(path);
            refs[i] = seen.Add(uri) ? uri : $"{uri}#{i.ToString(CultureInfo.InvariantCulture)}";
        }

        return refs;
    }

    // Reproducible BOMs: a name-based UUID (RFC 9562 version 8 layout over SHA-256) of the files, their hashes and
    // finding fingerprints, so the same scan gives the same serial number; otherwise a random one, as the spec expects.
    private static string SerialNumber(ScanReport report, string[] refs)
    {
        if (!report.DeterministicSerialNumber)
        {
            return Guid.NewGuid().ToString("D");
        }

        var text = new StringBuilder("modelaudit-sbom-v1\n");
        for (int i = 0; i < refs.Length; i++)
        {
            ModelScanResult result = report.Results[i];
            text.Append(refs[i]).Append('\n').Append(result.Sha256).Append('\n');
            foreach (ModelFinding finding in result.Findings)
            {
                text.Append(finding.Fingerprint).Append(finding.IsSuppressed ? "s" : "").Append('\n');
            }
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        string hex = Convert.ToHexString(hash, 0, 16).ToLowerInvariant();
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    private static void WriteMetadata(Utf8JsonWriter json, ScanReport report)
    {
        json.WriteStartObject("metadata");
        json.WriteString("timestamp", ReportJson.Timestamp(report.CreatedUtc));
        json.WriteStartObject("tools");
        json.WriteStartArray("components");
        json.WriteStartObject();
        json.WriteString("type", "application");
        json.WriteString("name", "ModelAudit");
        json.WriteString("version", report.ToolVersion);
        json.WriteStartArray("externalReferences");
        json.WriteStartObject();
        json.WriteString("type", "website");
        json.WriteString("url", "https://github.com/modelaudit/ModelAudit.PowerShell");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartArray("properties");
        Property(json, "exitCode", report.ExitCode.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, value) in report.Settings.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Property(json, "setting:" + name, value);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteComponent(Utf8JsonWriter json, ModelScanResult result, string bomRef)
    {
        bool model = IsModelFormat(result.Format);
        json.WriteStartObject();
        json.WriteString("type", model ? "machine-learning-model" : "file");
        json.WriteString("bom-ref", bomRef);
        json.WriteString("name", Path.GetFileName(result.Path) is { Length: > 0 } name ? name : result.Path);
        if (result.Sha256 is { } sha256)
        {
            json.WriteStartArray("hashes");
            json.WriteStartObject();
            json.WriteString("alg", "SHA-256");
            json.WriteString("content", sha256);
            json.WriteEndObject();
            json.WriteEndArray();
        }

        // The license found in the model's metadata, card or LICENSE file: an SPDX id when it maps to one, the name
        // as written otherwise (CycloneDX takes either form).
        if (result.License is { } license)
        {
            json.WriteStartArray("licenses");
            json.WriteStartObject();
            json.WriteStartObject("license");
            if (license.SpdxId is { } spdx)
            {
                json.WriteString("id", spdx);
            }
            else
            {
                json.WriteString("name", license.Name);
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteStartArray("properties");
        Property(json, "path", result.Path);
        Property(json, "format", result.Format);
        Property(json, "size", result.Size.ToString(CultureInfo.InvariantCulture));
        Property(json, "outcome", result.Outcome.ToString());
        Property(json, "critical", result.CriticalCount.ToString(CultureInfo.InvariantCulture));
        Property(json, "warning", result.WarningCount.ToString(CultureInfo.InvariantCulture));
        Property(json, "info", result.InfoCount.ToString(CultureInfo.InvariantCulture));
        Property(json, "suppressed", result.SuppressedCount.ToString(CultureInfo.InvariantCulture));
        foreach (var rule in result.Findings.Where(f => !f.IsSuppressed).GroupBy(f => f.RuleId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Property(json, "rule:" + rule.Key, rule.Count().ToString(CultureInfo.InvariantCulture));
        }

        json.WriteEndArray();
        if (model)
        {
            WriteModelCard(json, result, bomRef);
        }

        WriteMembers(json, result, bomRef);
        json.WriteEndObject();
    }

    private static void WriteModelCard(Utf8JsonWriter json, ModelScanResult result, string bomRef)
    {
        json.WriteStartObject("modelCard");
        json.WriteString("bom-ref", bomRef + "#model-card");
        json.WriteStartArray("properties");
        Property(json, "format", result.Format);
        Property(json, "tensorCount", result.TensorCount.ToString(CultureInfo.InvariantCulture));
        if (result.ParameterCount is { } parameters)
        {
            Property(json, "parameterCount", parameters.ToString(CultureInfo.InvariantCulture));
        }

        foreach (string dtype in result.TensorDTypes)
        {
            Property(json, "dtype", dtype);
        }

        if (result.AnalyzedTensorCount > 0)
        {
            // How many tensors' values weight analysis read: its findings (MA8xxx) vouch for those tensors only.
            Property(json, "analyzedTensorCount", result.AnalyzedTensorCount.ToString(CultureInfo.InvariantCulture));
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    // Members that findings were made in, as nested components following the '!' path (a!b → a containing b).
    private static void WriteMembers(Utf8JsonWriter json, ModelScanResult result, string bomRef)
    {
        var tree = new MemberNode();
        foreach (ModelFinding finding in result.Findings)
        {
            if (finding.Member is { } member)
            {
                MemberNode node = tree;
                foreach (string part in member.Split('!'))
                {
                    node = node.Child(part);
                }

                node.Findings.Add(finding);
            }
        }

        WriteChildren(json, tree, bomRef);
    }

    private static void WriteChildren(Utf8JsonWriter json, MemberNode node, string parentRef)
    {
        if (node.Children.Count == 0)
        {
            return;
        }

        json.WriteStartArray("components");
        foreach (var (name, child) in node.Children)
        {
            string childRef = parentRef + "!" + name;
            json.WriteStartObject();
            json.WriteString("type", "file");
            json.WriteString("bom-ref", childRef);
            json.WriteString("name", name);
            json.WriteStartArray("properties");
            Property(json, "member", childRef[(childRef.IndexOf('!') + 1)..]);
            foreach (var rule in child.Findings.Where(f => !f.IsSuppressed).GroupBy(f => f.RuleId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                Property(json, "rule:" + rule.Key, rule.Count().ToString(CultureInfo.InvariantCulture));
            }

            json.WriteEndArray();
            WriteChildren(json, child, childRef);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteVulnerabilities(Utf8JsonWriter json, ScanReport report, string[] refs)
    {
        // One entry per CVE, in ordinal order, affecting every component (file or member) a finding attributes it to.
        var byCve = new SortedDictionary<string, (List<string> Refs, List<ModelFinding> Findings)>(StringComparer.Ordinal);
        for (int i = 0; i < report.Results.Count; i++)
        {
            foreach (ModelFinding finding in report.Results[i].Findings)
            {
                foreach (string cve in finding.Cve)
                {
                    if (!byCve.TryGetValue(cve, out var entry))
                    {
                        entry = (new List<string>(), new List<ModelFinding>());
                        byCve[cve] = entry;
                    }

                    string target = finding.Member is { } member ? refs[i] + "!" + member : refs[i];
                    if (!entry.Refs.Contains(target, StringComparer.Ordinal))
                    {
                        entry.Refs.Add(target);
                    }

                    entry.Findings.Add(finding);
                }
            }
        }

        if (byCve.Count == 0)
        {
            return;
        }

        json.WriteStartArray("vulnerabilities");
        foreach (var (cve, (targets, findings)) in byCve)
        {
            Severity severity = findings.Max(f => f.Severity);
            json.WriteStartObject();
            json.WriteString("bom-ref", "vulnerability:" + cve);
            json.WriteString("id", cve);
            json.WriteStartObject("source");
            json.WriteString("name", cve.StartsWith("GHSA-", StringComparison.Ordinal) ? "GitHub" : "NVD");
            json.WriteString("url", cve.StartsWith("GHSA-", StringComparison.Ordinal)
                ? "https://github.com/advisories/" + cve
                : "https://nvd.nist.gov/vuln/detail/" + cve);
            json.WriteEndObject();
            json.WriteStartArray("ratings");
            json.WriteStartObject();
            json.WriteString("severity", severity switch { Severity.Critical => "critical", Severity.Warning => "medium", _ => "info" });
            json.WriteString("method", "other");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteString("description", string.Join(" ", findings.Select(f => f.RuleId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(id => report.Rules.FirstOrDefault(r => r.Id == id)?.Title ?? id).Select(t => t + ".")));
            json.WriteString("detail", string.Join("\n", findings.Select(f => $"{f.RuleId} {f.Location}: {f.Message}").Distinct(StringComparer.Ordinal)));
            if (findings.All(f => f.IsSuppressed))
            {
                // Every finding for this CVE was accepted by a policy or baseline: the risk is known and taken.
                json.WriteStartObject("analysis");
                json.WriteString("state", "exploitable");
                ReportJson.StringArray(json, "response", new[] { "will_not_fix" });
                json.WriteString("detail", string.Join("\n", findings.Select(f => f.Suppression!.ToString()).Distinct(StringComparer.Ordinal)));
                json.WriteEndObject();
            }

            json.WriteStartArray("affects");
            foreach (string target in targets)
            {
                json.WriteStartObject();
                json.WriteString("ref", target);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void Property(Utf8JsonWriter json, string name, string value)
    {
        json.WriteStartObject();
        json.WriteString("name", Prefix + name);
        json.WriteString("value", value);
        json.WriteEndObject();
    }
}
