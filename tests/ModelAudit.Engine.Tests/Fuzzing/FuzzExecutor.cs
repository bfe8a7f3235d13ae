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

    public FuzzExecutor(FuzzBudget budget)
    {
        Budget = budget;
        _engine = new ScanEngine(new ScanOptions { Timeout = budget.EngineTimeout });
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
        ModelScanResult? result = Engine(data, fileName, execution);
        if (result is not null)
        {
            CheckResult(result, payloadIntact, execution);
            if (checkDeterminism)
            {
                CheckDeterminism(data, fileName, result, execution);
            }
        }

        Direct(data, fileName, execution);
        Analyzers(data, fileName, textKind, execution);
        return execution;
    }

    private ModelScanResult? Engine(byte[] data, string fileName, FuzzExecution execution)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        try
        {
            return ScanWithEngine(data, fileName);
        }
        catch (Exception ex)
        {
            execution.Violations.Add(new FuzzViolation("an exception escaped the engine", Describe(ex)));
            return null;
        }
        finally
        {
            execution.Elapsed = stopwatch.Elapsed;
            execution.AllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - before;
            if (execution.Elapsed > Budget.TimePerInput)
            {
                execution.Violations.Add(new FuzzViolation("time budget", $"{execution.Elapsed.TotalSeconds:0.0} s for {data.Length:N0} bytes"));
            }

            if (execution.AllocatedBytes > Budget.AllocationFor(data.Length))
            {
                execution.Violations.Add(new FuzzViolation("allocation budget", $"{execution.AllocatedBytes:N0} bytes allocated for {data.Length:N0} bytes of input"));
            }
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
            // Speculative bytes (see ScanFrame.Speculative) that fail to decode are data, said so in the message.
            ModelFinding? gap = result.Findings.FirstOrDefault(f => f.RuleId.StartsWith("MA9", StringComparison.Ordinal)
                && !f.Message.StartsWith("Read as data", StringComparison.Ordinal));
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
            IFormatScanner scanner = reading.Scanner;
            execution.Parsers.Add(scanner.Info.Name);
            var file = new FileScan(_engine, fileName, _engine.Options, CancellationToken.None, null);
            ScanContext context = new ScanContext(file, ScanFrame.Root).With(f => f with { Scanner = scanner.Info.Name, Reading = reading });
            using var stream = new MemoryStream(data, writable: false);
            try
            {
                scanner.Scan(new ScanInput(stream, head, reading, fileName, data.Length, readings.Count > 1), context);
            }
            catch (Exception ex) when (IsTyped(ex))
            {
            }
            catch (Exception ex)
            {
                execution.Violations.Add(new FuzzViolation($"{scanner.Info.Name}.Scan threw an untyped exception", Describe(ex)));
            }

            foreach (ModelFinding fault in file.Findings.Where(f => f.RuleId == Rules.RuleIds.ScannerFault))
            {
                execution.Violations.Add(new FuzzViolation($"untyped exception under {scanner.Info.Name}", $"{fault.Member} {fault.Message}"));
            }
        }
    }

    private void Analyzers(byte[] data, string fileName, int textKind, FuzzExecution execution)
    {
        string? text = AsText(data);
        if (text is null)
        {
            return;
        }

        ContentKind kind = s_kinds[textKind % s_kinds.Length];
        string keyPath = kind switch
        {
            ContentKind.ChatTemplate => "chat_template",
            ContentKind.Metadata => "__metadata__.description",
            ContentKind.ConfigValue => "auto_map.AutoModel",
            _ => fileName,
        };
        var fragment = new ContentFragment(text, keyPath, kind, 0);
        foreach (IContentAnalyzer analyzer in _registry.Analyzers)
        {
            execution.Parsers.Add(analyzer.Name);
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
