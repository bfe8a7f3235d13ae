using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

public static partial class RuleCatalog
{
    static partial void AddRemoteRules(List<ModelRule> rules) => rules.AddRange(new[]
    {
        Rule(PublishedHashMismatch, "Content does not match the hash its store publishes", Severity.Critical, FindingCategory.Integrity,
            "The SHA-256 of the bytes served differs from the one the store publishes for the object (a Hugging Face LFS oid, the sha256 JFrog Artifactory records for an artifact). The file was changed after it was published, in transit or in a mirror: what a loader would get is not what the repository's history vouches for.",
            "Do not load the file. Fetch it again from the origin store and compare; report the mirror or proxy that served it."),
        Rule(PublishedHashNotVerified, "Published hash not verified", Severity.Info, FindingCategory.Integrity,
            "The store publishes a SHA-256 for the object, but the scan did not hash the content (-SkipHash), so the bytes were not checked against it.",
            "Scan without -SkipHash to verify the content against the published hash."),
    });
}
