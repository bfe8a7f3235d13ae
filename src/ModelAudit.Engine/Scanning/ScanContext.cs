using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;

namespace ModelAudit.Engine.Scanning;

/// <summary>
/// What a scanner reports through: the file's accumulated state (<see cref="FileScan"/>) seen from one immutable
/// nesting level (<see cref="ScanFrame"/>). Cheap to make; a child member gets a new context, never a mutated one.
/// </summary>
internal sealed class ScanContext
{
    public ScanContext(FileScan file, ScanFrame frame)
    {
        File = file;
        Frame = frame;
    }

    public FileScan File { get; }

    public ScanFrame Frame { get; }

    /// <summary>The top-level file.</summary>
    public string Path => File.Path;

    public ScanOptions Options => File.Options;

    public ScanLimits Limits => File.Options.Limits;

    public CancellationToken CancellationToken => File.CancellationToken;

    /// <summary>Member path inside containers (joined with '!'), null at the top level.</summary>
    public string? Member => Frame.Member;

    /// <summary>Nesting depth: 0 for the file itself.</summary>
    public int Depth => Frame.Depth;

    /// <summary>When set, pickle scanners append every import, call and build here (Get-ModelPickleTrace, tests).</summary>
    public List<PickleTraceEntry>? Trace => File.Observer?.Trace;

    /// <summary>This level with other frame settings (scanner name, container facts, CVE hints).</summary>
    public ScanContext With(Func<ScanFrame, ScanFrame> change) => new(File, change(Frame));

    /// <summary>Refines the format shown for the file (Zip → PyTorchZip); only the reading of the file itself that
    /// holds the result format can do so.</summary>
    public void SetFormat(ModelFormat format)
    {
        if (Depth == 0 && Frame.Reading is { } reading)
        {
            File.ClaimFormat(reading, format);
        }
    }

    /// <summary>Reports a finding under the current member, with the rule's catalog severity. Identical findings
    /// (rule, member, offset, evidence) are kept once.</summary>
    public void Report(string ruleId, string message, long? offset = null, string? evidence = null, IReadOnlyList<string>? cve = null,
        string? scanner = null) =>
        File.Add(Frame, ruleId, message, offset, evidence, cve, scanner, explainsOutcome: false);

    /// <summary>Reports a coverage gap (a 9xxx finding, or weights that were never scanned) and marks coverage Inconclusive. Kept whatever -MinimumSeverity says: it is
    /// the reason the outcome is not Clean.</summary>
    public void ReportInconclusive(string ruleId, string message, long? offset = null, string? evidence = null)
    {
        // Bytes no loader decodes that fail to decode are data, not a gap in coverage (see ScanFrame.Speculative).
        bool data = Frame.Speculative && ruleId == RuleIds.ParseError;
        File.Add(Frame, ruleId, data ? $"Read as data (no loader decodes these bytes): {message}" : message, offset, evidence, null, null, explainsOutcome: !data);
    }

    /// <summary>Scans a nested stream (archive member, decompressed wrapper, embedded payload) as a child member;
    /// returns the readings of it that held.</summary>
    public IReadOnlyList<Reading> ScanChild(string memberName, Stream stream, long? length, Func<ScanFrame, ScanFrame>? frame = null)
    {
        ScanFrame child = Frame.Enter(memberName);
        return File.Engine.Dispatch(new ScanContext(File, frame is null ? child : frame(child)), stream, memberName, length);
    }

    /// <summary>Runs one part of a container (an entry's checks and scan) under its own guard: a failure there is that
    /// part's Inconclusive finding, and the container goes on with the next part.</summary>
    public void Guarded(string what, Action action)
    {
        try
        {
            action();
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            ScanEngine.ReportFailure(this, what, ex);
        }
    }

    /// <summary>Hands extracted text to every cross-format analyzer.</summary>
    public void Analyze(ContentFragment fragment)
    {
        foreach (IContentAnalyzer analyzer in File.Engine.Registry.Analyzers)
        {
            analyzer.Analyze(fragment, this);
        }
    }

    /// <summary>Records the licence the file declares (for SBOMs); the first one found is kept.</summary>
    public void RecordLicense(ModelLicense license) => File.License ??= license;

    /// <summary>Records where a tensor's bytes are, for weight analysis and the result summary. A tensor whose bytes
    /// are not one run in the member's own order (<paramref name="decodable"/> false: a strided view, a compressed
    /// storage) is only summarised.</summary>
    public void ReportTensor(TensorRegion region, bool decodable = true)
    {
        File.AddTensor(region);

        // Weight analysis reads by offset in the hashed stream, the file itself: a member's tensors are read only when
        // the member's bytes are the file's own, where the frame says they start.
        if (decodable && Frame.FileOffset is { } memberStart)
        {
            File.Weights?.Register(this, region, memberStart + region.Offset);
        }
    }

    /// <summary>Counts decompressed bytes against the per-file budget; returns false once it is spent.</summary>
    public bool TryAddExpanded(long bytes)
    {
        File.ExpandedBytes += bytes;
        return File.ExpandedBytes <= Limits.MaxExpandedBytes;
    }
}
