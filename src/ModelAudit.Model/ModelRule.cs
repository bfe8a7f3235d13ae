namespace ModelAudit;

/// <summary>A rule of the catalog: the public contract behind every finding's RuleId.</summary>
public sealed class ModelRule
{
    /// <summary>Creates a rule entry.</summary>
    public ModelRule(string id, string title, Severity severity, FindingCategory category, string description,
        string remediation, IReadOnlyList<string> cve, string helpUri)
    {
        Id = id;
        Title = title;
        Severity = severity;
        Category = category;
        Description = description;
        Remediation = remediation;
        Cve = cve as ModelTextList ?? new ModelTextList(cve);
        HelpUri = helpUri;
    }

    /// <summary><c>MA</c> and four digits.</summary>
    public string Id { get; }

    /// <summary>Short title.</summary>
    public string Title { get; }

    /// <summary>Default severity; a finding may be graded differently when the rule says so.</summary>
    public Severity Severity { get; }

    /// <summary>The rule family.</summary>
    public FindingCategory Category { get; }

    /// <summary>What the rule detects and why it matters.</summary>
    public string Description { get; }

    /// <summary>What to do about a finding.</summary>
    public string Remediation { get; }

    /// <summary>CVE identifiers the rule covers.</summary>
    public IReadOnlyList<string> Cve { get; }

    /// <summary>Documentation page.</summary>
    public string HelpUri { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Id} {Title}";
}
