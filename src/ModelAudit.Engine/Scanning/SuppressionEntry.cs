using System.IO.Enumeration;

namespace ModelAudit.Engine.Scanning;

/// <summary>
/// One policy suppression (DESIGN §5): a rule id, a wildcard over the scanned file's path and optionally one over the
/// member inside containers, the justification that is kept with every finding it suppresses, and an optional expiry.
/// Only suppressions still in force reach the engine; the module warns about expired ones and leaves them out.
/// </summary>
public sealed record SuppressionEntry(string RuleId, string PathPattern, string? MemberPattern, string Justification, DateTimeOffset? Expires)
{
    /// <summary>Where the entry was written (policy file and line), named in each suppressed finding.</summary>
    public string Source { get; init; } = "policy";

    /// <summary>True when this entry covers <paramref name="finding"/>. Patterns use <c>*</c> and <c>?</c>, match the
    /// whole text, ignore case (policies are shared between Windows and Linux) and treat <c>\</c> as <c>/</c>.</summary>
    public bool Covers(ModelFinding finding) =>
        string.Equals(finding.RuleId, RuleId, StringComparison.OrdinalIgnoreCase)
        && Matches(PathPattern, finding.Path)
        && (MemberPattern is null || (finding.Member is { } member && Matches(MemberPattern, member)));

    private static bool Matches(string pattern, string text) =>
        FileSystemName.MatchesSimpleExpression(Normalize(pattern), Normalize(text), ignoreCase: true);

    private static string Normalize(string text) => text.Replace('\\', '/');
}
