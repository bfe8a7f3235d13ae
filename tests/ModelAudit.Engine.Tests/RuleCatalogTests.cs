using System.Text.RegularExpressions;
using ModelAudit.Engine.Rules;

namespace ModelAudit.Engine.Tests;

/// <summary>The rule catalog is public contract: stable ids, one family per thousands digit, one docs page per rule.</summary>
public sealed class RuleCatalogTests
{
    [Fact]
    public void Ids_are_unique_and_well_formed()
    {
        Assert.Equal(RuleCatalog.All.Count, RuleCatalog.All.Select(r => r.Id).Distinct().Count());
        Assert.All(RuleCatalog.All, r => Assert.Matches("^MA[1-9][0-9]{3}$", r.Id));
        Assert.All(RuleCatalog.All, r => Assert.Equal((int)r.Category, r.Id[2] - '0'));
        Assert.All(RuleCatalog.All, r => Assert.False(string.IsNullOrWhiteSpace(r.Description) || string.IsNullOrWhiteSpace(r.Remediation)));
        Assert.All(RuleCatalog.All.SelectMany(r => r.Cve), c => Assert.Matches(@"^CVE-\d{4}-\d{4,}$", c));
    }

    [Fact]
    public void Every_rule_has_exactly_one_docs_page_and_every_page_a_rule()
    {
        string docs = Path.Combine(Scan.RepoRoot, "docs", "rules");
        var pages = Directory.GetFiles(docs, "*.md").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(RuleCatalog.All.Select(r => r.Id).Order(StringComparer.Ordinal).ToArray(), pages);
        foreach (var rule in RuleCatalog.All)
        {
            string page = File.ReadAllText(Path.Combine(docs, rule.Id + ".md"));
            Assert.Contains(rule.Title, page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_rule_id_used_in_the_engine_is_in_the_catalog()
    {
        string rules = Path.Combine(Scan.RepoRoot, "src", "ModelAudit.Engine", "Rules");
        var ids = Directory.GetFiles(rules, "RuleIds*.cs")
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "\"(MA\\d{4})\"").Select(m => m.Groups[1].Value))
            .ToArray();
        Assert.Equal(ids.Order(StringComparer.Ordinal), RuleCatalog.All.Select(r => r.Id).Order(StringComparer.Ordinal));
    }
}
