using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;

namespace ModelAudit.Engine.Scanning;

/// <summary>
/// What one top-level file's scan accumulates across every nesting level: findings (all of them, whatever
/// -MinimumSeverity says, because the outcome is a fact about the file), coverage, budgets and the result format.
/// </summary>
internal sealed class FileScan
{
    // Tensor regions kept for the result summary and weight analysis; beyond this only counts are kept.
    private const int MaxKeptTensors = 100_000;

    private readonly List<ModelFinding> _findings = new();
    private readonly HashSet<ModelFinding> _explaining = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(string, string?, string?), int> _occurrences = new();
    private readonly HashSet<(string, string?, long?, string?)> _seen = new();
    private readonly List<string> _inconclusiveReasons = new();
    private bool _truncated;
    private Reading? _formatOwner;
    private readonly Dictionary<int, long> _bufferedByDepth = new();

    public FileScan(ScanEngine engine, string path, ScanOptions options, CancellationToken cancellationToken, ScanObserver? observer)
    {
        Engine = engine;
        Path = path;
        Options = options;
        CancellationToken = cancellationToken;
        Observer = observer;
    }

    public ScanEngine Engine { get; }

    /// <summary>The top-level file.</summary>
    public string Path { get; }

    public ScanOptions Options { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Records members and pickle events when a trace or a test asks for them; null otherwise.</summary>
    public ScanObserver? Observer { get; }

    /// <summary>The format shown for the file: the first reading of the file itself that held, possibly refined by
    /// its scanner (Zip → PyTorchZip).</summary>
    public ModelFormat Format { get; private set; } = ModelFormat.Unknown;

    /// <summary>Bytes of seekable copies (<see cref="IO.SeekableCopy"/>) held now by the nesting levels being scanned,
    /// against <see cref="ScanLimits.MaxBufferedBytesHeld"/>.</summary>
    public long BufferedBytesHeld { get; private set; }

    /// <summary>Charges a seekable copy made by the member being scanned at <paramref name="depth"/>.</summary>
    public void HoldBuffered(int depth, long bytes)
    {
        _bufferedByDepth[depth] = _bufferedByDepth.GetValueOrDefault(depth) + bytes;
        BufferedBytesHeld += bytes;
    }

    /// <summary>Releases the copies made at <paramref name="depth"/>: the member they were made for is done.</summary>
    public void ReleaseBuffered(int depth)
    {
        if (_bufferedByDepth.Remove(depth, out long bytes))
        {
            BufferedBytesHeld -= bytes;
        }
    }

    /// <summary>Decompressed bytes produced so far, against <see cref="ScanLimits.MaxExpandedBytes"/>.</summary>
    public long ExpandedBytes { get; set; }

    /// <summary>Where the top-level pickle stream(s) ended, when the file reads as a pickle: a zip found by its end
    /// record before this offset is an argument of the pickle, one after it a second interpretation.</summary>
    public long? PickleEnd { get; set; }

    public List<TensorRegion> Tensors { get; } = new();

    /// <summary>Weight analysis of this file, when it is on for it.</summary>
    public Analyzers.Weights.WeightPass? Weights { get; set; }

    /// <summary>The licence the file declares; the first one found (the file itself before its members) is kept.</summary>
    public ModelLicense? License { get; set; }

    public long TensorCount { get; private set; }

    public bool IsInconclusive => _inconclusiveReasons.Count > 0;

    /// <summary>What an analyzer carries from one text fragment of a member to the next (a chat template value cut
    /// by a chunk boundary), keyed by analyzer and member; the analyzer removes it when it is done.</summary>
    public Dictionary<(string Analyzer, string? Member), object> AnalyzerState { get; } = new();

    /// <summary>Every finding, in the order made.</summary>
    public IReadOnlyList<ModelFinding> Findings => _findings;

    /// <summary>True for findings that explain an Inconclusive outcome: kept whatever -MinimumSeverity says.</summary>
    public bool ExplainsOutcome(ModelFinding finding) => _explaining.Contains(finding);

    /// <summary>Sets the result format from a reading of the file itself. The first reading that holds (readings run
    /// code-bearing first) owns it; its scanner may refine it (Zip → PyTorchZip).</summary>
    public void ClaimFormat(Reading reading, ModelFormat format)
    {
        if (_formatOwner is null || ReferenceEquals(_formatOwner, reading))
        {
            _formatOwner = reading;
            Format = format;
        }
    }

    /// <summary>Claims the reading's own format once it has held, unless its scanner already refined it.</summary>
    public void ClaimHeldReading(Reading reading)
    {
        if (!ReferenceEquals(_formatOwner, reading))
        {
            ClaimFormat(reading, reading.Format);
        }
    }

    /// <summary>Gives the format up when the reading that claimed it turns out not to hold.</summary>
    public void ReleaseFormat(Reading reading)
    {
        if (ReferenceEquals(_formatOwner, reading))
        {
            _formatOwner = null;
            Format = ModelFormat.Unknown;
        }
    }

    /// <summary>True once a reading of the file itself holds the result format.</summary>
    public bool HasFormat => _formatOwner is not null;

    /// <summary>Shows <paramref name="format"/> without a reading (empty content, unknown content).</summary>
    public void SetFormatWithoutReading(ModelFormat format)
    {
        if (_formatOwner is null)
        {
            Format = format;
        }
    }

    public void AddTensor(TensorRegion region)
    {
        TensorCount++;
        if (Tensors.Count < MaxKeptTensors)
        {
            Tensors.Add(region);
        }
    }

    /// <summary>Adds a finding unless an identical one (rule, member, offset, evidence) is already there.</summary>
    public void Add(ScanFrame frame, string ruleId, string message, long? offset, string? evidence, IReadOnlyList<string>? cve,
        string? scanner, bool explainsOutcome)
    {
        if (explainsOutcome)
        {
            _inconclusiveReasons.Add(message);
        }

        if (!_seen.Add((ruleId, frame.Member, offset, evidence)))
        {
            return;
        }

        ScanLimits limits = Options.Limits;
        if (_findings.Count >= limits.MaxFindingsPerFile)
        {
            if (!_truncated)
            {
                _truncated = true;
                _inconclusiveReasons.Add("findings truncated");
                Append(frame, RuleIds.FindingsTruncated, $"More than {limits.MaxFindingsPerFile} findings; the rest were dropped.", null, null, null, scanner, true);
            }

            return;
        }

        Append(frame, ruleId, message, offset, evidence, cve, scanner, explainsOutcome);
    }

    private void Append(ScanFrame frame, string ruleId, string message, long? offset, string? evidence, IReadOnlyList<string>? cve,
        string? scanner, bool explainsOutcome)
    {
        // Severity comes from the rule catalog only; a policy may override it by rule id.
        ModelRule rule = RuleCatalog.Get(ruleId);
        Severity severity = Options.Policy.SeverityOverrides.TryGetValue(ruleId, out Severity forced) ? forced : rule.Severity;
        var key = (ruleId, frame.Member, evidence);
        int occurrence = _occurrences.TryGetValue(key, out int seen) ? seen + 1 : 0;
        _occurrences[key] = occurrence;
        var finding = new ModelFinding(ruleId, severity, rule.Category, message, Path, frame.Member, offset, evidence,
            cve ?? rule.Cve, scanner ?? frame.Scanner, rule.Remediation, rule.HelpUri, FindingFingerprint.Of(ruleId, frame.Member, evidence, occurrence));
        _findings.Add(finding);
        if (explainsOutcome)
        {
            _explaining.Add(finding);
        }
    }
}
