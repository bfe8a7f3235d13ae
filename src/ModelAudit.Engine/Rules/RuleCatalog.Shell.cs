using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

public static partial class RuleCatalog
{
    static partial void AddShellRules(List<ModelRule> rules)
    {
        rules.Add(Rule(KnownSitePathConfiguration, "Standard site-packages path-configuration file", Severity.Info, FindingCategory.Integrity,
            "A .pth file that every Python environment has (setuptools' distutils-precedence.pth, an editable install's __editable__.*.pth, virtualenv's _virtualenv.pth), in a site-packages folder, whose every import line has the exact shape its tool writes. Python runs the line at start-up; the line is shown so it can be checked. The same name with any other import line, or a .pth next to model files, is MA6005 (Warning).",
            "Nothing to do if the package that wrote it is expected in this environment."));
    }
}
