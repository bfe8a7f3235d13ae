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
        string? helpUri,
        string fingerprint = "",
        ModelSuppression? suppression = null)
    {
        RuleId = ruleId;
        Severity = severity;
        Category = category;
        Message = message;
        Path = path;
        Member = member;
        Offset = offset;
        Evidence = evidence;
        Cve = cve as ModelTextList ?? new ModelTextList(cve);
        Scanner = scanner;
        Remediation = remediation;
        HelpUri = helpUri;
        Fingerprint = fingerprint;
        Suppression = suppression;
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

    /// <summary>
    /// A stable identity for the finding within its file: the same rule, member, evidence and occurrence give the same
    /// value on every run and machine (offsets and messages are left out, so a rebuilt file keeps its fingerprints).
    /// Used for SARIF partialFingerprints and baselines; combine with <see cref="Path"/> to identify it across files.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>Why this finding is suppressed (policy, baseline), or null when it is not.</summary>
    public ModelSuppression? Suppression { get; }

    /// <summary>True when a policy or baseline suppresses the finding; it is still reported, marked as such.</summary>
    public bool IsSuppressed => Suppression is not null;

    /// <summary>The same finding, suppressed for <paramref name="suppression"/>'s reason (kept in reports, marked).</summary>
    public ModelFinding WithSuppression(ModelSuppression suppression) =>
        new(RuleId, Severity, Category, Message, Path, Member, Offset, Evidence, Cve, Scanner, Remediation, HelpUri, Fingerprint, suppression);

    /// <summary>Path and member joined with <c>!</c>, as shown in tables.</summary>
    public string Location => Member is null ? Path : Path + "!" + Member;

    /// <inheritdoc />
    public override string ToString() => $"{Severity} {RuleId} {Location}: {Message}";
}
