using ModelAudit.Engine.Reporting;

namespace ModelAudit.Engine.Scanning;

/// <summary>
/// What an organisation decides on top of the defaults (DESIGN §5): extra denied or allowed pickle globals
/// (exact <c>module.name</c>), severity overrides by rule id, suppressions, a baseline, and limits (in
/// <see cref="ScanOptions.Limits"/>).
/// Denied wins over allowed; the built-in denylist still applies to anything not explicitly allowed.
/// </summary>
public sealed record ScanPolicy
{
    /// <summary>Globals treated as code execution wherever they appear.</summary>
    public IReadOnlySet<string> DeniedGlobals { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Globals treated as safe data constructors (the organisation's own classes, say).</summary>
    public IReadOnlySet<string> AllowedGlobals { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Severity by rule id, replacing the rule's grading.</summary>
    public IReadOnlyDictionary<string, Severity> SeverityOverrides { get; init; } = new Dictionary<string, Severity>(StringComparer.Ordinal);

    /// <summary>Suppressions in force; a finding they cover is kept, marked suppressed with its justification.</summary>
    public IReadOnlyList<SuppressionEntry> Suppressions { get; init; } = Array.Empty<SuppressionEntry>();

    /// <summary>An earlier report: findings it already holds are kept, marked suppressed by the baseline.</summary>
    public ReportBaseline? Baseline { get; init; }
}
