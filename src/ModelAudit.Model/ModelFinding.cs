namespace ModelAudit;

/// <summary>One thing a scanner found in a model file. Output on the pipeline; never an error record.</summary>
public sealed class ModelFinding
{
    /// <summary>Creates a finding. Scanners go through the engine's scan context rather than calling this directly.</summary>
    public ModelFinding(
        string ruleId,
        Severity severity,
        FindingCategory category,
        string message,
        string path,
        string? member,
        long? offset,
        string? evidence,
        IReadOnlyList<string> cve,
        string scanner,
        string? remediation,
        string? helpUri)
    {
        RuleId = ruleId;
        Severity = severity;
        Category = category;
        Message = message;
        Path = path;
        Member = member;
        Offset = offset;
        Evidence = evidence;
        Cve = cve;
        Scanner = scanner;
        Remediation = remediation;
        HelpUri = helpUri;
    }

    /// <summary>Stable rule id, <c>MA</c> and four digits.</summary>
    public string RuleId { get; }

    /// <summary>Critical, Warning or Info.</summary>
    public Severity Severity { get; }

    /// <summary>The rule family.</summary>
    public FindingCategory Category { get; }

    /// <summary>What was found, in one sentence.</summary>
    public string Message { get; }

    /// <summary>The top-level file (or URI) that was scanned.</summary>
    public string Path { get; }

    /// <summary>Path inside containers, members joined with <c>!</c>; null for the file itself.</summary>
    public string? Member { get; }

    /// <summary>Byte offset in that member (or file) where the finding was made, when known.</summary>
    public long? Offset { get; }

    /// <summary>The evidence: a callable such as <c>os.system</c>, a reconstructed call, a name.</summary>
    public string? Evidence { get; }

    /// <summary>CVE identifiers the finding is attributed to.</summary>
    public IReadOnlyList<string> Cve { get; }

    /// <summary>The scanner or analyzer that made the finding.</summary>
    public string Scanner { get; }

    /// <summary>What to do about it.</summary>
    public string? Remediation { get; }

    /// <summary>The rule's documentation page.</summary>
    public string? HelpUri { get; }

    /// <summary>Path and member joined with <c>!</c>, as shown in tables.</summary>
    public string Location => Member is null ? Path : Path + "!" + Member;

    /// <inheritdoc />
    public override string ToString() => $"{Severity} {RuleId} {Location}: {Message}";
}
