using System.Diagnostics;
using System.Text;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>
/// Runs one input through the full engine (detection, every reading, analyzers, nested members) and directly through
/// each parser entry point — every scanner's Sniff, the Scan of every scanner whose Sniff takes the bytes, every
/// content analyzer on the bytes as text — and checks the invariants of docs/security.md on each.
/// </summary>
internal sealed class FuzzExecutor
{
    // Inputs that decode to at least this share of printable UTF-8 are also handed to the analyzers directly.
    private const double TextShare = 0.9;

    // The analyzers see fragments of at most this many characters directly (scanners hand them 1 MiB chunks; the
    // full-engine pass covers longer text).
    private const int MaxFragmentChars = 64 << 10;

    private static readonly ContentKind[] s_kinds = Enum.GetValues<ContentKind>();

    private readonly ScanEngine _engine;
    private readonly ScannerRegistry _registry = ScannerRegistry.Default;

    // The direct executions' time budget (the engine pass has its own); reset after each, not made anew.
    private CancellationTokenSource _timeout = new();

    public FuzzExecutor(FuzzBudget budget)
    {
        Budget = budget;
        _engine = new ScanEngine(new ScanOptions
        {
            Timeout = budget.EngineTimeout,
            Limits = new ScanLimits { CompressionRatioFloor = budget.CompressionRatioFloor },
        });
    }

    public FuzzBudget Budget { get; }

    /// <summary>The scanners that scan (recognisers with <c>Scans: false</c> have no parser to fuzz).</summary>
    public IEnumerable<string> ScannerNames => _registry.Scanners.Where(s => s.Info.Scans).Select(s => s.Info.Name);

    public IEnumerable<string> AnalyzerNames => _registry.Analyzers.Select(a => a.Name);

    /// <summary>The scanners whose Sniff takes these bytes under this name.</summary>
    public IReadOnlyList<string> Readers(byte[] data, string fileName) =>
        _registry.Sniff(new SniffInput(Head(data), data.Length, fileName)).Where(r => r.Scanner.Info.Scans).Select(r => r.Scanner.Info.Name).Distinct().ToArray();

    /// <summary>Scans the bytes with the full engine as a file of that name.</summary>
    public ModelScanResult ScanWithEngine(byte[] data, string fileName) =>
        _engine.Scan(new ScanItem(fileName, data.Length, () => new MemoryStream(data, writable: false)), CancellationToken.None);

    /// <summary>Runs every check on one input. <paramref name="payloadIntact"/>: the input keeps a malicious seed's
    /// payload whole, so it must not be Clean. <paramref name="textKind"/> picks the fragment kind for analyzers.</summary>
    public FuzzExecution Execute(byte[] data, string fileName, bool payloadIntact, bool checkDeterminism, int textKind)
    {
        var execution = new FuzzExecution();
        var (result, elapsed, allocated) = Engine(data, fileName, execution);
        if (result is not null)
        {
            CheckResult(result, payloadIntact, execution);
            if (checkDeterminism)
            {
                CheckDeterminism(data, fileName, result, execution);
            }
        }

        // The engine decompresses what the scanners run alone do (the same members, the same guards): their count of
        // decompressed bytes is the engine's too, and the engine's budget is checked once it is known.
        Direct(data, fileName, execution);
        CheckBudgets(execution, elapsed, allocated, data.Length, execution.ExpandedBytes, "");
        Analyzers(data, fileName, textKind, execution);
        return execution;
    }

    private (ModelScanResult? Result, TimeSpan Elapsed, long Allocated) Engine(byte[] data, string fileName, FuzzExecution execution)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        ModelScanResult? result = null;
        try
        {
            result = ScanWithEngine(data, fileName);
        }
        catch (Exception ex)
        {
            execution.Violations.Add(new FuzzViolation("an exception escaped the engine", Describe(ex)));
        }

        return (result, stopwatch.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // The time and allocation bounds of one execution; the engine pass and each direct execution are measured alone.
    private void CheckBudgets(FuzzExecution execution, TimeSpan elapsed, long allocated, int length, long expanded, string under)
    {
        execution.Elapsed += elapsed;
        execution.AllocatedBytes = Math.Max(execution.AllocatedBytes, allocated);
        if (elapsed > Budget.TimePerInput)
        {
            execution.Violations.Add(new FuzzViolation("time budget" + under, $"{elapsed.TotalSeconds:0.0} s for {length:N0} bytes"));
        }

        if (allocated > Budget.AllocationFor(length, expanded))
        {
            execution.Violations.Add(new FuzzViolation("allocation budget" + under,
                $"{allocated:N0} bytes allocated for {length:N0} bytes of input ({expanded:N0} decompressed)"));
        }
    }

    private static void CheckResult(ModelScanResult result, bool payloadIntact, FuzzExecution execution)
    {
        execution.Outcome = result.Outcome;
        foreach (ModelFinding fault in result.Findings.Where(f => f.RuleId == Rules.RuleIds.ScannerFault))
        {
            execution.Violations.Add(new FuzzViolation("untyped exception in a parser", $"{fault.Member} {fault.Message}"));
        }

        foreach (ModelFinding timeout in result.Findings.Where(f => f.RuleId == Rules.RuleIds.Timeout))
        {
            execution.Violations.Add(new FuzzViolation("hang (engine timeout)", timeout.Message));
        }

        if (result.Outcome == ScanOutcome.Clean)
        {
            ModelFinding? gap = result.Findings.FirstOrDefault(IsGap);
            if (gap is not null || !result.CoverageComplete || result.Errors.Count > 0)
            {
                execution.Violations.Add(new FuzzViolation("Clean although coverage is incomplete", result.Describe()));
            }

            if (payloadIntact)
            {
                execution.Violations.Add(new FuzzViolation("Clean although a malicious payload is intact", result.Describe()));
            }
        }
    }

    private void CheckDeterminism(byte[] data, string fileName, ModelScanResult first, FuzzExecution execution)
    {
        ModelScanResult second = ScanWithEngine(data, fileName);
        string a = Fingerprint(first);
        string b = Fingerprint(second);
        if (a != b)
        {
            execution.Violations.Add(new FuzzViolation("the same input gave different results", $"first: {a}\nsecond: {b}"));
        }
    }

    private static string Fingerprint(ModelScanResult result) =>
        $"{result.Outcome} {result.Format} " + string.Join(" | ", result.Findings.Select(f => $"{f.RuleId} {f.Severity} {f.Member} {f.Offset} {f.Message}"));

    // Each scanner's own entry points, without the engine's guards: Sniff must never throw, and Scan may throw only
    // the typed exceptions the engine turns into findings.
    private void Direct(byte[] data, string fileName, FuzzExecution execution)
    {
        byte[] head = Head(data);
        var sniff = new SniffInput(head, data.Length, fileName);
        var readings = new List<Reading>();
        foreach (IFormatScanner scanner in _registry.Scanners)
        {
            try
            {
                if (scanner.Sniff(sniff) is { } reading && scanner.Info.Scans)
                {
                    readings.Add(reading);
                }
            }
            catch (Exception ex)
            {
                execution.Violations.Add(new FuzzViolation($"{scanner.Info.Name}.Sniff threw", Describe(ex)));
            }
        }

        foreach (Reading reading in readings)
        {
            ScanDirectly(reading, data, head, fileName, readings.Count > 1, execution, measure: false);
        }
    }

    /// <summary>One scanner alone on one input, as the campaign's turns run it: its Sniff, then (when it takes the
    /// bytes) its Scan under the per-input time and allocation budgets. False when its Sniff declines the bytes.</summary>
    public bool ExecuteScanner(IFormatScanner scanner, byte[] data, string fileName, FuzzExecution execution)
    {
        byte[] head = Head(data);
        Reading? reading;
        try
        {
            reading = scanner.Sniff(new SniffInput(head, data.Length, fileName));
        }
        catch (Exception ex)
        {
            execution.Violations.Add(new FuzzViolation($"{scanner.Info.Name}.Sniff threw", Describe(ex)));
            return false;
        }

        if (reading is null)
        {
            return false;
        }

        // No other reading is offered: the scanner cannot step aside for one, the strictest case (the engine pass
        // offers the real alternatives).
        ScanDirectly(reading, data, head, fileName, alternatives: false, execution, measure: true);
        return true;
    }

    // Each scanner's Scan without the engine's guards: it may throw only the typed exceptions the engine turns into
    // findings, it must end within the engine's time budget (cancelled there, as -TimeoutSec does), and what it
    // reports must not claim full coverage after a gap (the engine's Clean check, on the findings of this scanner).
    private void ScanDirectly(Reading reading, byte[] data, byte[] head, string fileName, bool alternatives, FuzzExecution execution, bool measure)
    {
        IFormatScanner scanner = reading.Scanner;
        execution.Parsers.Add(scanner.Info.Name);
        _timeout.CancelAfter(Budget.EngineTimeout);
        var file = new FileScan(_engine, fileName, _engine.Options, _timeout.Token, null);
        ScanContext context = new ScanContext(file, ScanFrame.Root).With(f => f with { Scanner = scanner.Info.Name, Reading = reading });
        using var stream = new MemoryStream(data, writable: false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        bool gaveUp = false;
        try
        {
            scanner.Scan(new ScanInput(stream, head, reading, fileName, data.Length, alternatives), context);
        }
        catch (OperationCanceledException)
        {
            execution.Violations.Add(new FuzzViolation($"hang under {scanner.Info.Name} (cancelled after {Budget.EngineTimeout.TotalSeconds:0} s)", $"{data.Length:N0} bytes"));
            gaveUp = true;
        }
        catch (Exception ex) when (IsTyped(ex))
        {
            gaveUp = true;
        }
        catch (Exception ex)
        {
            execution.Violations.Add(new FuzzViolation($"{scanner.Info.Name}.Scan threw an untyped exception", Describe(ex)));
            gaveUp = true;
        }
        finally
        {
            if (measure)
            {
                CheckBudgets(execution, stopwatch.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before, data.Length, file.ExpandedBytes, $" under {scanner.Info.Name}");
            }

            // A timer that already fired cannot be reset; the next execution gets a fresh source.
            if (!_timeout.TryReset())
            {
                _timeout.Dispose();
                _timeout = new CancellationTokenSource();
            }
        }

        execution.ExpandedBytes = Math.Max(execution.ExpandedBytes, file.ExpandedBytes);
        foreach (ModelFinding fault in file.Findings.Where(f => f.RuleId == Rules.RuleIds.ScannerFault))
        {
            execution.Violations.Add(new FuzzViolation($"untyped exception under {scanner.Info.Name}", $"{fault.Member} {fault.Message}"));
        }

        // A scan that ended normally with a gap finding but no Inconclusive reason would let the file be Clean.
        if (!gaveUp && !file.IsInconclusive && !file.Findings.Any(f => f.Severity >= Severity.Warning)
            && file.Findings.FirstOrDefault(IsGap) is { } gap)
        {
            execution.Violations.Add(new FuzzViolation($"gap without Inconclusive under {scanner.Info.Name}", $"{gap.RuleId} {gap.Member} {gap.Message}"));
        }
    }

    // Speculative bytes (see ScanFrame.Speculative) that fail to decode are data, said so in the message.
    private static bool IsGap(ModelFinding finding) => finding.RuleId.StartsWith("MA9", StringComparison.Ordinal)
        && !finding.Message.StartsWith("Read as data", StringComparison.Ordinal);

    private void Analyzers(byte[] data, string fileName, int textKind, FuzzExecution execution)
    {
        if (AsText(data) is { } text)
        {
            foreach (IGrouping<string, IContentAnalyzer> named in _registry.Analyzers.GroupBy(a => a.Name))
            {
                AnalyzeDirectly(named.ToArray(), text, data.Length, fileName, textKind, execution, measure: false);
            }
        }
    }

    /// <summary>The analyzers of one name (several share "Configuration") on the input as text, as the campaign's
    /// turns run them. False when the input is not text.</summary>
    public bool ExecuteAnalyzers(IReadOnlyList<IContentAnalyzer> analyzers, byte[] data, string fileName, int textKind, FuzzExecution execution)
    {
        if (AsText(data) is not { } text)
        {
            return false;
        }

        AnalyzeDirectly(analyzers, text, data.Length, fileName, textKind, execution, measure: true);
        return true;
    }

    /// <summary>The content analyzers by name, in registration order.</summary>
    public IReadOnlyList<IContentAnalyzer> AnalyzersNamed(string name) => _registry.Analyzers.Where(a => a.Name == name).ToArray();

    /// <summary>The scanner of that name.</summary>
    public IFormatScanner ScannerNamed(string name) => _registry.Scanners.First(s => s.Info.Name == name);

    // One execution is every analyzer of the name on one fragment; the fragment kind (and so its key path) turns
    // with textKind, so every kind of text is seen by every analyzer.
    private void AnalyzeDirectly(IReadOnlyList<IContentAnalyzer> analyzers, string text, int length, string fileName, int textKind, FuzzExecution execution, bool measure)
    {
        ContentKind kind = s_kinds[textKind % s_kinds.Length];
        string keyPath = kind switch
        {
            ContentKind.ChatTemplate => "chat_template",
            ContentKind.Metadata => "__metadata__.description",
            ContentKind.ConfigValue => "auto_map.AutoModel",
            _ => fileName,
        };
        var fragment = new ContentFragment(text, keyPath, kind, 0);
        execution.Parsers.Add(analyzers[0].Name);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        foreach (IContentAnalyzer analyzer in analyzers)
        {
            var file = new FileScan(_engine, fileName, _engine.Options, CancellationToken.None, null);
            try
            {
                analyzer.Analyze(fragment, new ScanContext(file, ScanFrame.Root));
            }
            catch (Exception ex) when (IsTyped(ex))
            {
            }
            catch (Exception ex)
            {
                execution.Violations.Add(new FuzzViolation($"{analyzer.Name} threw an untyped exception ({kind})", Describe(ex)));
            }
        }

        if (measure)
        {
            CheckBudgets(execution, stopwatch.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before, length, 0, $" under {analyzers[0].Name}");
        }
    }

    /// <summary>The exceptions the engine records as findings of the member (ScanEngine.ReportFailure): ours, and the
    /// runtime's and decompressors' own for malformed data.</summary>
    public static bool IsTyped(Exception ex) => ex is ModelAuditException or NotThisFormatException or EndOfStreamException
        or InvalidDataException or IOException
        || ex.GetType().Namespace?.StartsWith("SharpCompress", StringComparison.Ordinal) == true;

    private static byte[] Head(byte[] data) => data.Length <= FormatDetector.HeadSize ? data : data[..FormatDetector.HeadSize];

    public static string? AsText(byte[] data)
    {
        if (data.Length == 0)
        {
            return null;
        }

        string text = Encoding.UTF8.GetString(data, 0, Math.Min(data.Length, MaxFragmentChars));
        int printable = text.Count(c => !char.IsControl(c) || c is '\n' or '\r' or '\t');
        return printable >= TextShare * text.Length ? text : null;
    }

    private static string Describe(Exception ex) => $"{ex.GetType().FullName}: {ex.Message}\n{ex.StackTrace}";
}
