using System.Diagnostics;
using System.Security.Cryptography;

namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>
/// A deterministic mutation-fuzzing campaign: parsers take turns (every scanner, then every analyzer), each gets a
/// mutant of one of the seeds it reads, and every mutant goes through <see cref="FuzzExecutor"/>. The same random
/// seed gives the same inputs in the same order; only how many run depends on the time given.
/// </summary>
internal sealed class FuzzCampaign
{
    // Every 16th input is scanned twice: the second result must equal the first (docs/security.md, determinism).
    private const int DeterminismEvery = 16;

    // Saved inputs per run; past it violations are still counted and described, not written.
    private const int MaxSavedInputs = 50;

    private readonly IReadOnlyList<FuzzSeed> _seeds;
    private readonly FuzzExecutor _executor;
    private readonly int _randomSeed;
    private readonly List<(string Parser, int[] Seeds)> _targets = new();
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

    /// <summary>Each parser and how many seeds it reads.</summary>
    public IReadOnlyList<(string Parser, int[] Seeds)> Targets => _targets;

    /// <summary>Where each malicious seed's payload ends: the shortest prefix still flagged as the whole seed is.</summary>
    public IReadOnlyDictionary<int, int> PayloadEnds => _payloadEnd;

    /// <summary>Runs until <paramref name="duration"/> has passed or <paramref name="maxInputs"/> inputs have run.
    /// Inputs that break an invariant are saved to <paramref name="crashDirectory"/> when given.</summary>
    public FuzzReport Run(TimeSpan duration, long maxInputs, string? crashDirectory)
    {
        var stopwatch = Stopwatch.StartNew();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int saved = 0;
        for (long i = 0; i < maxInputs && stopwatch.Elapsed < duration; i++)
        {
            var (parser, candidates) = _targets[(int)(i % _targets.Count)];
            var random = new Random(unchecked(_randomSeed * 1_000_003 + (int)i));
            int index = candidates[random.Next(candidates.Length)];
            FuzzSeed seed = _seeds[index];

            // Half of a malicious seed's mutants keep its payload whole: those must never be Clean.
            int protect = _payloadEnd.TryGetValue(index, out int end) && random.Next(2) == 0 ? end : 0;
            var (data, what) = FuzzMutator.Mutate(seed.Data, _fields[index], random, _seeds, protect);
            FuzzExecution execution = _executor.Execute(data, seed.FileName, payloadIntact: protect > 0, checkDeterminism: i % DeterminismEvery == 0, textKind: (int)(i / _targets.Count));

            Report.Inputs++;
            Report.MaxAllocatedBytes = Math.Max(Report.MaxAllocatedBytes, execution.AllocatedBytes);
            Report.SecondsPerTarget[parser] = Report.SecondsPerTarget.GetValueOrDefault(parser) + execution.Elapsed.TotalSeconds;
            if (execution.Elapsed > Report.SlowestInput)
            {
                Report.SlowestInput = execution.Elapsed;
                Report.SlowestInputName = $"{seed.Name}: {what}";
            }
            foreach (string ran in execution.Parsers)
            {
                Report.ExecutionsPerParser[ran] = Report.ExecutionsPerParser.GetValueOrDefault(ran) + 1;
            }

            foreach (FuzzViolation violation in execution.Violations)
            {
                if (!seen.Add(violation.Invariant + "|" + Where(violation.Detail)))
                {
                    continue;
                }

                string input = $"{seed.Name} ({parser}, input {i}: {what})";
                if (crashDirectory is not null && saved++ < MaxSavedInputs)
                {
                    input = Save(crashDirectory, seed, data, violation, input);
                }

                Report.Violations.Add((violation, input));
            }
        }

        Report.Elapsed += stopwatch.Elapsed;
        return Report;
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
                _targets.Add((scanner, reading));
            }
        }

        int[] text = Enumerable.Range(0, _seeds.Count).Where(i => FuzzExecutor.AsText(_seeds[i].Data) is not null).ToArray();
        foreach (string analyzer in _executor.AnalyzerNames)
        {
            _targets.Add((analyzer, text));
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
