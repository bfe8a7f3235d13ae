using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

public static partial class RuleCatalog
{
    static partial void AddDvcRules(List<ModelRule> rules) => rules.AddRange(new[]
    {
        Rule(DvcPathTraversal, "DVC output path leaves the project", Severity.Critical, FindingCategory.Integrity,
            "A .dvc pointer or dvc.lock names an output (or a file in a folder output) whose path is absolute or climbs out of the project with '..'. 'dvc pull' or 'dvc checkout' would write that file outside the repository: a shell profile, a CI script or a site-packages module can be replaced by whoever controls the pointer or the remote.",
            "Do not pull or check out the project. Fix the pointer so each output path stays inside the repository, and find out who changed it."),
        Rule(DvcOutputNotResolved, "DVC output not scanned", Severity.Info, FindingCategory.ScanHealth,
            "A .dvc pointer or dvc.lock names an output that is not in the workspace, and its object could not be read from the project's cache or default remote (none configured, a remote kind not read, or not there). What 'dvc pull' would fetch was not scanned, so the pointer's coverage is inconclusive.",
            "Run 'dvc pull' and scan the workspace, configure a local or http(s) default remote (with -FollowDvcRemote), or scan the remote's objects directly."),
    });
}
