using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers.Versions;

/// <summary>Maps a framework version found in a file to the known CVEs and reports them with their ids.</summary>
internal static class VersionCheck
{
    /// <summary>A version the writer recorded (transformers_version, MLflow flavor versions): Info.</summary>
    public static void Recorded(ScanContext context, string package, string version, string where, long? offset) =>
        Report(context, RuleIds.RecordedVersionVulnerable, package, version, $"{where} records {package} {version}", offset);

    /// <summary>A version an environment file pins for installation: Warning.</summary>
    public static void Pinned(ScanContext context, string package, string version, string where, long? offset) =>
        Report(context, RuleIds.PinnedRequirementVulnerable, package, version, $"{where} pins {package}=={version}", offset);

    private static void Report(ScanContext context, string rule, string package, string version, string what, long? offset)
    {
        if (PackageVersion.Parse(version) is not { } parsed)
        {
            return;
        }

        IReadOnlyList<KnownVulnerability> cves = KnownVulnerabilities.For(package, parsed);
        if (cves.Count == 0)
        {
            return;
        }

        string list = string.Join("; ", cves.Select(c => $"{c.Cve} ({c.Summary}, fixed in {c.Fixed})"));
        context.Report(rule, $"{what}, affected by {list}.", offset, $"{KnownVulnerabilities.Normalize(package)} {version}",
            cves.Select(c => c.Cve).ToArray(), scanner: "Versions");
    }
}
