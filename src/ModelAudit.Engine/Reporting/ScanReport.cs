using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Reporting;

/// <summary>What a report is made from: the results in input order, and the facts of the run the results do not carry.</summary>
public sealed record ScanReport(IReadOnlyList<ModelScanResult> Results)
{
    /// <summary>The ModelAudit version that wrote the report.</summary>
    public string ToolVersion { get; init; } = typeof(ScanReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>When the report was made: the only value (with durations) that differs between two runs.</summary>
    public DateTimeOffset CreatedUtc { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>True when the run that made the results wrote per-item errors (paths not found, unreadable folders).</summary>
    public bool HadErrors { get; init; }

    /// <summary>Results under this folder are named relative to it (SARIF <c>%SRCROOT%</c>); null for absolute paths.</summary>
    public string? BasePath { get; init; }

    /// <summary>Options and policy the exporter knows about, recorded as given (name → value), in ordinal key order.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>CycloneDX: derive the serial number from the content (same files and findings → same number) instead
    /// of a random one, for reproducible BOMs.</summary>
    public bool DeterministicSerialNumber { get; init; }

    /// <summary>The process exit code the results give (DESIGN §4); suppressed findings do not count.</summary>
    public int ExitCode => Scanning.ExitCode.For(Results.ToArray(), HadErrors);

    /// <summary>Every rule, ordered by id.</summary>
    public IReadOnlyList<ModelRule> Rules => RuleCatalog.All;
}
