using System.Text.Json;

namespace ModelAudit.Engine.Reporting;

/// <summary>
/// The findings of an earlier JSON report, by fingerprint: a finding of the same file (same path, or same SHA-256
/// when the folder moved) with the same fingerprint is not new, and is reported suppressed with the baseline as its
/// source. Fingerprints leave out offsets and messages, so a re-saved or rescanned file still matches.
/// </summary>
public sealed class ReportBaseline
{
    private readonly HashSet<(string, string)> _byPath = new();
    private readonly HashSet<(string, string)> _byHash = new();

    private ReportBaseline(string source)
    {
        Source = source;
    }

    /// <summary>The baseline file, as named in suppressed findings.</summary>
    public string Source { get; }

    /// <summary>Number of findings the baseline holds.</summary>
    public int Count => _byPath.Count;

    /// <summary>Reads a report written by <see cref="JsonReportWriter"/>; throws <see cref="FormatException"/> for any
    /// other document, so a wrong file is never taken for an empty baseline.</summary>
    public static ReportBaseline Read(Stream json, string source)
    {
        var baseline = new ReportBaseline(source);
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schemaVersion", out JsonElement version)
                || version.ValueKind != JsonValueKind.String || !version.GetString()!.StartsWith("1.", StringComparison.Ordinal)
                || !root.TryGetProperty("results", out JsonElement results) || results.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"'{source}' is not a ModelAudit JSON report (schemaVersion 1.x with results).");
            }

            foreach (JsonElement result in results.EnumerateArray())
            {
                string path = result.GetProperty("path").GetString() ?? "";
                string? sha256 = result.TryGetProperty("sha256", out JsonElement hash) && hash.ValueKind == JsonValueKind.String ? hash.GetString() : null;
                foreach (JsonElement finding in result.GetProperty("findings").EnumerateArray())
                {
                    string fingerprint = finding.GetProperty("fingerprint").GetString() ?? "";
                    baseline._byPath.Add((path, fingerprint));
                    if (sha256 is not null)
                    {
                        baseline._byHash.Add((sha256, fingerprint));
                    }
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"'{source}' is not a readable ModelAudit JSON report: {ex.Message}", ex);
        }

        return baseline;
    }

    /// <summary>True when the baseline already holds <paramref name="finding"/> of a file hashed <paramref name="sha256"/>.</summary>
    public bool Contains(ModelFinding finding, string? sha256) =>
        _byPath.Contains((finding.Path, finding.Fingerprint))
        || (sha256 is not null && _byHash.Contains((sha256, finding.Fingerprint)));
}
