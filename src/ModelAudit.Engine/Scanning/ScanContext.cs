using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;

namespace ModelAudit.Engine.Scanning;

/// <summary>
/// State for scanning one top-level file: findings, coverage, the member path inside containers, and budgets
/// shared across nesting. Scanners report through it and hand child streams back to the engine through it.
/// </summary>
internal sealed class ScanContext
{
    private readonly ScanEngine _engine;
    private readonly List<ModelFinding> _findings = new();
    private readonly HashSet<(string, string?, long?, string?)> _seen = new();
    private readonly List<string> _inconclusiveReasons = new();
    private bool _truncated;

    public ScanContext(ScanEngine engine, string path, ScanOptions options, CancellationToken cancellationToken)
    {
        _engine = engine;
        Path = path;
        Options = options;
        CancellationToken = cancellationToken;
    }

    /// <summary>The top-level file.</summary>
    public string Path { get; }

    public ScanOptions Options { get; }

    public ScanLimits Limits => Options.Limits;

    public CancellationToken CancellationToken { get; }

    /// <summary>Member path inside containers (joined with '!'), null at the top level.</summary>
    public string? Member { get; private set; }

    /// <summary>Nesting depth: 0 for the file itself.</summary>
    public int Depth { get; private set; }

    /// <summary>The scanner currently running (named in its findings).</summary>
    public string Scanner { get; set; } = "Engine";

    /// <summary>The top-level format, possibly refined by its scanner (Zip → PyTorchZip).</summary>
    public ModelFormat Format { get; private set; } = ModelFormat.Unknown;

    /// <summary>Decompressed bytes produced so far for this file, against <see cref="ScanLimits.MaxExpandedBytes"/>.</summary>
    public long ExpandedBytes { get; private set; }

    public bool IsInconclusive => _inconclusiveReasons.Count > 0;

    /// <summary>When set, pickle scanners append every import, call and build here (Get-ModelPickleTrace).</summary>
    public List<PickleTraceEntry>? Trace { get; set; }

    /// <summary>Where the top-level pickle stream(s) ended, when the file is a pickle: bytes before it belong to the
    /// pickle (an embedded payload), bytes after it are a second interpretation (a polyglot).</summary>
    public long? PickleEnd { get; set; }

    /// <summary>True while scanning the members of a TorchScript archive (its __torch__ classes come from code/).</summary>
    public bool InTorchScript { get; set; }

    /// <summary>True while scanning the members of a joblib or scikit-learn container.</summary>
    public bool InJoblib { get; set; }

    /// <summary>CVEs that the enclosing container makes apply to dangerous pickle content found inside it
    /// (e.g. CVE-2019-6446 for a NumPy object array). Containers push and pop around their children.</summary>
    public List<string> CveHints { get; } = new();

    public IReadOnlyList<ModelFinding> Findings => _findings;

    /// <summary>Sets the format shown for the file; only the outermost level decides it.</summary>
    public void SetFormat(ModelFormat format)
    {
        if (Depth == 0)
        {
            Format = format;
        }
    }

    /// <summary>Reports a finding under the current member. Identical findings (rule, member, offset, evidence) are kept once.</summary>
    public void Report(string ruleId, string message, long? offset = null, string? evidence = null,
        Severity? severity = null, string? scanner = null, IReadOnlyList<string>? cve = null) =>
        Report(ruleId, message, offset, evidence, severity, scanner, cve, explainsOutcome: false);

    /// <summary>Reports a 9xxx finding and marks coverage Inconclusive. Kept whatever -MinimumSeverity says: it is
    /// the reason the outcome is not Clean.</summary>
    public void ReportInconclusive(string ruleId, string message, long? offset = null, string? evidence = null)
    {
        _inconclusiveReasons.Add(message);
        Report(ruleId, message, offset, evidence, null, null, null, explainsOutcome: true);
    }

    private void Report(string ruleId, string message, long? offset, string? evidence, Severity? severity, string? scanner,
        IReadOnlyList<string>? cve, bool explainsOutcome)
    {
        if (!_seen.Add((ruleId, Member, offset, evidence)))
        {
            return;
        }

        if (_findings.Count >= Limits.MaxFindingsPerFile)
        {
            if (!_truncated)
            {
                _truncated = true;
                _inconclusiveReasons.Add("findings truncated");
                Add(RuleIds.FindingsTruncated, $"More than {Limits.MaxFindingsPerFile} findings; the rest were dropped.", null, null, null, scanner, null, true);
            }

            return;
        }

        Add(ruleId, message, offset, evidence, severity, scanner, cve, explainsOutcome);
    }

    /// <summary>Scans a nested stream (archive member, decompressed wrapper, embedded payload) as a child member.</summary>
    public void ScanChild(string memberName, Stream stream, long? length)
    {
        string? savedMember = Member;
        string savedScanner = Scanner;
        Member = savedMember is null ? memberName : savedMember + "!" + memberName;
        Depth++;
        try
        {
            _engine.Dispatch(this, stream, memberName, length);
        }
        finally
        {
            Depth--;
            Member = savedMember;
            Scanner = savedScanner;
        }
    }

    /// <summary>Hands extracted text to every cross-format analyzer.</summary>
    public void AnalyzeText(string text, string source, long? offset = null)
    {
        foreach (var analyzer in _engine.Registry.Analyzers)
        {
            analyzer.AnalyzeText(text, source, offset, this);
        }
    }

    /// <summary>Counts decompressed bytes against the per-file budget; returns false once it is spent.</summary>
    public bool TryAddExpanded(long bytes)
    {
        ExpandedBytes += bytes;
        return ExpandedBytes <= Limits.MaxExpandedBytes;
    }

    private void Add(string ruleId, string message, long? offset, string? evidence, Severity? severity, string? scanner,
        IReadOnlyList<string>? cve, bool explainsOutcome)
    {
        ModelRule rule = RuleCatalog.Get(ruleId);
        Severity effective = Options.Policy.SeverityOverrides.TryGetValue(ruleId, out Severity forced) ? forced : severity ?? rule.Severity;
        if (effective < Options.MinimumSeverity && !explainsOutcome)
        {
            return;
        }

        _findings.Add(new ModelFinding(ruleId, effective, rule.Category, message, Path, Member, offset, evidence,
            cve ?? rule.Cve, scanner ?? Scanner, rule.Remediation, rule.HelpUri));
    }
}
