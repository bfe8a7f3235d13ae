using System.Diagnostics;
using System.Security.Cryptography;
using ModelAudit.Engine.Analyzers;

namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>
/// A deterministic mutation-fuzzing campaign scheduled by parser: the next turn goes to the parser with the fewest
/// turns so far (counted over earlier runs too, when <see cref="FuzzTotals"/> are given), so every parser gets the
/// same number (an execution each, but for the rare turn whose mutants its Sniff all declines) and a run can be
/// aimed at those behind. A turn mutates one of the parser's seeds until the
/// parser's Sniff takes a mutant (at most <see cref="MaxTries"/>), then runs that parser alone on it
/// (<see cref="FuzzExecutor.ExecuteScanner"/>); every <see cref="EngineEvery"/>th turn's first mutant also goes
/// through the whole engine and every parser (<see cref="FuzzExecutor.Execute"/>). A parser's inputs depend only on
/// the random seed, its name and its turn number, so runs of one seed can continue where the last one stopped.
/// </summary>
internal sealed class FuzzCampaign
{
    // Mutants tried per turn before the turn counts as missed. The protobuf families decline most mutants in Sniff
    // (a structure that no longer parses is no model of theirs); a try costs only the mutation and one Sniff, so many
    // are cheap, and a parser that declines all of them still gets its share of turns, not all of them.
    public const int MaxTries = 256;

    // The whole engine (detection, every reading, nesting, outcome, payload and determinism checks) sees every this
    // many turns' input; in between, parsers run alone, which is what makes a million executions each affordable.
    public const int EngineEvery = 16;

    // Every 4th engine input is scanned twice: the second result must equal the first (docs/security.md, determinism).
    private const int DeterminismEvery = 4;

    // Saved inputs per run; past it violations are still counted and described, not written.
    private const int MaxSavedInputs = 50;

    private readonly IReadOnlyList<FuzzSeed> _seeds;
    private readonly FuzzExecutor _executor;
    private readonly int _randomSeed;
    private readonly List<FuzzTarget> _targets = new();
    private readonly Dictionary<int, IReadOnlyList<LengthField>> _fields = new();
    private readonly Dictionary<int, int> _payloadEnd = new();

    public FuzzCampaign(IReadOnlyList<FuzzSeed> seeds, FuzzBudget budget, int randomSeed)
    {
        _seeds = seeds;
        _executor = new FuzzExecutor(budget);
        _randomSeed = randomSeed;
        Prepare();
    }

    public FuzzReport Report { get; } = new();

    /// <summary>Each parser and the seeds it reads.</summary>
    public IReadOnlyList<FuzzTarget> Targets => _targets;

    /// <summary>Where each malicious seed's payload ends: the shortest prefix still flagged as the whole seed is.</summary>
    public IReadOnlyDictionary<int, int> PayloadEnds => _payloadEnd;

    /// <summary>Runs until <paramref name="duration"/> has passed, <paramref name="maxTurns"/> turns have run, or every
    /// parser has <paramref name="executionsPerParser"/> executions (earlier runs' included). <paramref name="parsers"/> limits the run to
    /// those parsers (null: all); <paramref name="totals"/> gives earlier runs' counts, so this run continues this
    /// seed's inputs and favours the parsers behind. Inputs that break an invariant are saved to
    /// <paramref name="crashDirectory"/> when given.</summary>
    public FuzzReport Run(TimeSpan duration, long maxTurns, string? crashDirectory, IReadOnlyCollection<string>? parsers = null,
        FuzzTotals? totals = null, long executionsPerParser = long.MaxValue)
    {
        FuzzTarget[] targets = _targets.Where(t => parsers is null || parsers.Contains(t.Parser, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (targets.Length == 0)
        {
            throw new ArgumentException($"No parser of that name; the parsers are: {string.Join(", ", _targets.Select(t => t.Parser))}");
        }

        // Scheduling weight: turns (executions plus missed turns), over every earlier run of any seed.
        long[] done = targets.Select(t => totals?.AllTurns(t.Parser) ?? 0).ToArray();
        long[] turn = targets.Select(t => totals?.Turns(_randomSeed, t.Parser) ?? 0).ToArray();
        long[] executions = targets.Select(t => totals?.Executions(t.Parser) ?? 0).ToArray();
        var stopwatch = Stopwatch.StartNew();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int saved = 0;
        for (long i = 0; i < maxTurns && stopwatch.Elapsed < duration; i++)
        {
            // The parser furthest behind among those still short of the target (over earlier runs too).
            int next = -1;
            for (int t = 0; t < targets.Length; t++)
            {
                if (executions[t] < executionsPerParser && (next < 0 || done[t] < done[next]))
                {
                    next = t;
                }
            }

            if (next < 0)
            {
                break;
            }

            FuzzTarget target = targets[next];
            FuzzParserCount count = Report.Count(target.Parser);
            long started = Stopwatch.GetTimestamp();
            var random = new Random(TurnSeed(_randomSeed, target.Parser, turn[next]));
            bool executed = false;
            for (int attempt = 0; attempt < MaxTries && !executed; attempt++)
            {
                int index = target.Seeds[random.Next(target.Seeds.Length)];
                FuzzSeed seed = _seeds[index];

                // Half of a malicious seed's mutants keep its payload whole: those must never be Clean (engine pass).
                int protect = _payloadEnd.TryGetValue(index, out int end) && random.Next(2) == 0 ? end : 0;
                var (data, what) = FuzzMutator.Mutate(seed.Data, _fields[index], random, _seeds, protect);
                count.Mutants++;
                if (attempt == 0 && i % EngineEvery == 0)
                {
                    long engineStarted = Stopwatch.GetTimestamp();
                    FuzzExecution whole = _executor.Execute(data, seed.FileName, payloadIntact: protect > 0,
                        checkDeterminism: i / EngineEvery % DeterminismEvery == 0, textKind: (int)(i / EngineEvery));
                    started += Stopwatch.GetTimestamp() - engineStarted;
                    Report.EngineInputs++;
                    Report.EngineSeconds += Stopwatch.GetElapsedTime(engineStarted).TotalSeconds;
                    foreach (string ran in whole.Parsers.Distinct())
                    {
                        Report.Count(ran).EngineExecutions++;
                    }

                    Record(whole, seed, data, $"{seed.Name} (engine, {target.Parser} turn {turn[next]}: {what})", crashDirectory, seen, ref saved);
                }

                var execution = new FuzzExecution();
                executed = target.Scanner is { } scanner
                    ? _executor.ExecuteScanner(scanner, data, seed.FileName, execution)
                    : _executor.ExecuteAnalyzers(target.Analyzers, data, seed.FileName, (int)turn[next], execution);
                Record(execution, seed, data, $"{seed.Name} ({target.Parser} turn {turn[next]}, try {attempt}: {what})", crashDirectory, seen, ref saved);
            }

            turn[next]++;
            count.Turns++;
            done[next]++;
            if (executed)
            {
                count.Executions++;
                executions[next]++;
            }
            else
            {
                count.Misses++;
            }

            count.Seconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        }

        Report.Elapsed += stopwatch.Elapsed;
        return Report;
    }

    // A parser's turn t of random seed s always gets the same inputs, whatever else the run does (FNV-1a of the name,
    // so it is stable across processes, unlike string.GetHashCode).
    private static int TurnSeed(int randomSeed, string parser, long turn)
    {
        ulong hash = 14695981039346656037;
        foreach (char c in parser)
        {
            hash = (hash ^ c) * 1099511628211;
        }

        ulong x = hash ^ ((ulong)(uint)randomSeed * 0x9E3779B97F4A7C15) ^ ((ulong)turn * 0xC2B2AE3D27D4EB4F);
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
        return (int)(x ^ (x >> 31));
    }

    private void Record(FuzzExecution execution, FuzzSeed seed, byte[] data, string input, string? crashDirectory, HashSet<string> seen, ref int saved)
    {
        Report.MaxAllocatedBytes = Math.Max(Report.MaxAllocatedBytes, execution.AllocatedBytes);
        if (execution.Elapsed > Report.SlowestInput)
        {
            Report.SlowestInput = execution.Elapsed;
            Report.SlowestInputName = input;
        }

        foreach (FuzzViolation violation in execution.Violations)
        {
            if (!seen.Add(violation.Invariant + "|" + Where(violation.Detail)))
            {
                continue;
            }

            string where = input;
            if (crashDirectory is not null && saved++ < MaxSavedInputs)
            {
                where = Save(crashDirectory, seed, data, violation, input);
            }

            Report.Violations.Add((violation, where));
        }
    }

    private void Prepare()
    {
        for (int i = 0; i < _seeds.Count; i++)
        {
            _fields[i] = LengthFields.Find(_seeds[i].Data);
        }

        foreach (string scanner in _executor.ScannerNames)
        {
            int[] reading = Enumerable.Range(0, _seeds.Count).Where(i => _executor.Readers(_seeds[i].Data, _seeds[i].FileName).Contains(scanner)).ToArray();
            if (reading.Length > 0)
            {
                _targets.Add(new FuzzTarget(scanner, _executor.ScannerNamed(scanner), Array.Empty<IContentAnalyzer>(), reading));
            }
        }

        int[] text = Enumerable.Range(0, _seeds.Count).Where(i => FuzzExecutor.AsText(_seeds[i].Data) is not null).ToArray();
        foreach (string analyzer in _executor.AnalyzerNames.Distinct())
        {
            _targets.Add(new FuzzTarget(analyzer, null, _executor.AnalyzersNamed(analyzer), text));
        }

        for (int i = 0; i < _seeds.Count; i++)
        {
            FuzzSeed seed = _seeds[i];
            ModelScanResult baseline = _executor.ScanWithEngine(seed.Data, seed.FileName);
            if (seed.Kind == SeedKind.Benign && baseline.Outcome != ScanOutcome.Clean)
            {
                Report.SeedProblems.Add($"{seed.Name} is benign but scans {baseline.Describe()}");
            }
            else if (seed.Kind == SeedKind.Malicious)
            {
                if (baseline.Outcome != ScanOutcome.Issues)
                {
                    Report.SeedProblems.Add($"{seed.Name} is malicious but scans {baseline.Describe()}");
                    continue;
                }

                _payloadEnd[i] = PayloadEnd(seed, baseline);
            }
        }
    }

    // The shortest prefix that still carries one of the seed's own Warning/Critical findings (binary search, then
    // checked): the bytes a loader reads before it reaches the payload. A format whose payload is only reachable
    // through its end (7z) has the whole seed as its prefix, and its mutants only grow.
    private int PayloadEnd(FuzzSeed seed, ModelScanResult baseline)
    {
        var flagged = baseline.Findings.Where(f => f.Severity >= Severity.Warning && f.RuleId != Rules.RuleIds.ExtensionMismatch)
            .Select(f => (f.RuleId, f.Evidence)).ToHashSet();
        bool Flagged(int length) => _executor.ScanWithEngine(seed.Data[..length], seed.FileName).Findings
            .Any(f => f.Severity >= Severity.Warning && flagged.Contains((f.RuleId, f.Evidence)));

        int low = 1, high = seed.Data.Length;
        while (low < high)
        {
            int mid = low + (high - low) / 2;
            if (Flagged(mid))
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        return low < seed.Data.Length && Flagged(low) ? low : seed.Data.Length;
    }

    // The place a violation comes from, so one bug found by a thousand inputs is reported once: the first stack
    // frame of an exception, else the invariant's first line without numbers.
    private static string Where(string detail)
    {
        string? frame = detail.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        if (frame is not null)
        {
            return detail.Split(':')[0] + frame.Trim();
        }

        string first = detail.Split('\n')[0];
        return new string(first.Where(c => !char.IsDigit(c)).Take(120).ToArray());
    }

    private static string Save(string directory, FuzzSeed seed, byte[] data, FuzzViolation violation, string input)
    {
        Directory.CreateDirectory(directory);
        string hash = Convert.ToHexString(SHA256.HashData(data))[..12].ToLowerInvariant();
        string path = Path.Combine(directory, $"{hash}-{seed.FileName}");
        File.WriteAllBytes(path, data);
        File.WriteAllText(path + ".txt", $"{input}\n{violation}\n");
        return path;
    }
}
