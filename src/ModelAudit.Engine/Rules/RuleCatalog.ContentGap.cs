using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

public static partial class RuleCatalog
{
    static partial void AddContentGapRules(List<ModelRule> rules) => rules.AddRange(new[]
    {
        Rule(YamlCustomTag, "Custom YAML tag", Severity.Warning, FindingCategory.Template,
            "A YAML file has an explicit tag outside the YAML core schema and PyYAML's plain Python data tags (!!python/tuple and the like): !include, !ruby/object, !!java…, an application's own !Tag. A loader only honours such a tag through a constructor registered for it, and constructors are how YAML turns data into objects, files or code.",
            "Find out which program loads the file and what its constructor for this tag does; load the file with a safe loader (yaml.safe_load) where the tag is not needed."),
    });
}
