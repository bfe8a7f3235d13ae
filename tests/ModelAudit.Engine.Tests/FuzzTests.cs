using ModelAudit.Engine.Tests.Fuzzing;
using Xunit.Abstractions;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// The mutation fuzzer (tests/ModelAudit.Engine.Tests/Fuzzing, docs/security.md): a short run in every test task, a
/// long one with <c>build.ps1 -Task Fuzz -Minutes N</c>. Inputs that broke an invariant once are committed under
/// tests/fixtures/fuzz-regressions and checked by <see cref="FuzzRegressionTests"/>.
/// </summary>
public sealed class FuzzTests
{
    // The short run's share of the test task: about a minute with the campaign's preparation.
    private static readonly TimeSpan s_shortRun = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("MODELAUDIT_FUZZ_SECONDS"), out int seconds) ? seconds : 45);

    // The random seed of the short run: fixed, so a failure in CI is the same failure on a developer's machine.
    private const int ShortRunSeed = 17;

    private static readonly Lazy<FuzzCampaign> s_campaign = new(() => new FuzzCampaign(FuzzSeeds.All, new FuzzBudget(), ShortRunSeed));

    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Every_scanner_and_analyzer_has_seeds_to_fuzz()
    {
        var executor = new FuzzExecutor(new FuzzBudget());
        string[] fuzzed = s_campaign.Value.Targets.Where(t => t.Seeds.Length > 0).Select(t => t.Parser).ToArray();
        Assert.Empty(executor.ScannerNames.Concat(executor.AnalyzerNames).Except(fuzzed));
    }

    [Fact]
    public void Every_seed_has_the_verdict_of_its_folder()
    {
        FuzzCampaign campaign = s_campaign.Value;
        Assert.True(campaign.Report.SeedProblems.Count == 0, string.Join("\n", campaign.Report.SeedProblems));
        Assert.NotEmpty(campaign.PayloadEnds);
    }

    [Fact]
    public void A_malicious_payload_ends_before_its_seed_does_where_the_format_streams()
    {
        // A pickle is read front to back: the call is reached before the last byte, so mutants may change the tail.
        FuzzCampaign campaign = s_campaign.Value;
        int index = FuzzSeeds.All.ToList().FindIndex(s => s.Name == "malicious/os_system_p4.pkl");
        Assert.True(campaign.PayloadEnds[index] < FuzzSeeds.All[index].Data.Length);
    }

    [Fact]
    public void A_short_fuzz_run_breaks_no_invariant()
    {
        FuzzReport report = s_campaign.Value.Run(s_shortRun, long.MaxValue, CrashDirectory());
        _output.WriteLine(report.Format());
        Assert.True(report.Violations.Count == 0, report.Format());

        // Scheduled by parser: every one of them ran alone on some of its mutants, and the engine saw others.
        string[] idle = s_campaign.Value.Targets.Select(t => t.Parser).Where(p => report.Count(p).Executions == 0).ToArray();
        Assert.True(idle.Length == 0, "never executed: " + string.Join(", ", idle));
        Assert.True(report.EngineInputs > 0);
    }

    [Fact]
    public void A_run_continued_from_its_totals_gets_the_inputs_of_one_longer_run()
    {
        // Two parsers, one that declines most mutants (ONNX) and one that takes nearly all (Keras).
        string[] parsers = { "ONNX", "Keras" };
        const int Turns = 300;
        FuzzReport whole = new FuzzCampaign(FuzzSeeds.All, new FuzzBudget(), ShortRunSeed).Run(TimeSpan.MaxValue, 2 * Turns, null, parsers);

        var totals = new FuzzTotals();
        var parts = new FuzzCampaign(FuzzSeeds.All, new FuzzBudget(), ShortRunSeed);
        totals.Add(ShortRunSeed, parts.Run(TimeSpan.MaxValue, Turns, null, parsers));
        Assert.Equal(Turns, totals.AllTurns("ONNX") + totals.AllTurns("Keras"));
        FuzzReport both = parts.Run(TimeSpan.MaxValue, Turns, null, parsers, totals);

        foreach (string parser in parsers)
        {
            Assert.Equal((whole.Count(parser).Turns, whole.Count(parser).Mutants, whole.Count(parser).Executions),
                (both.Count(parser).Turns, both.Count(parser).Mutants, both.Count(parser).Executions));
        }
    }

    /// <summary>The long run of <c>build.ps1 -Task Fuzz</c>, which sets MODELAUDIT_FUZZ_MINUTES; excluded from the test
    /// task by its trait, so it never passes without running.</summary>
    [Fact]
    [Trait("Category", "LongRun")]
    public void LongFuzzRunFromEnvironment()
    {
        Assert.True(double.TryParse(Environment.GetEnvironmentVariable("MODELAUDIT_FUZZ_MINUTES"), System.Globalization.CultureInfo.InvariantCulture, out double minutes) && minutes > 0,
            "set MODELAUDIT_FUZZ_MINUTES to the run's length");
        int seed = int.TryParse(Environment.GetEnvironmentVariable("MODELAUDIT_FUZZ_SEED"), out int s) ? s : 1;
        string[]? parsers = Environment.GetEnvironmentVariable("MODELAUDIT_FUZZ_PARSERS") is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;
        long executions = long.TryParse(Environment.GetEnvironmentVariable("MODELAUDIT_FUZZ_EXECUTIONS"), out long e) && e > 0 ? e : long.MaxValue;
        string? totalsPath = Environment.GetEnvironmentVariable("MODELAUDIT_FUZZ_TOTALS") is { Length: > 0 } t ? t : null;
        FuzzTotals? totals = totalsPath is null ? null : FuzzTotals.Load(totalsPath);

        var campaign = new FuzzCampaign(FuzzSeeds.All, new FuzzBudget(), seed);
        FuzzReport report = campaign.Run(TimeSpan.FromMinutes(minutes), long.MaxValue, CrashDirectory(), parsers, totals, executions);
        string text = $"seed {seed}{(parsers is null ? "" : ", parsers " + string.Join(", ", parsers))}, load average {LoadAverage()}: " + report.Format();
        if (totals is not null && totalsPath is not null)
        {
            totals.Add(seed, report);
            totals.Save(totalsPath);
            text += totals.Format();
        }

        if (Environment.GetEnvironmentVariable("MODELAUDIT_FUZZ_REPORT") is { Length: > 0 } path)
        {
            File.WriteAllText(path, text);
        }

        _output.WriteLine(text);
        Assert.True(report.Violations.Count == 0 && report.SeedProblems.Count == 0, text);
    }

    // The machine is shared: the report says how busy it was when the run ended (Linux only; "unknown" elsewhere).
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    // Failing inputs are kept under out/fuzz-crashes (ignored by git) so they can be reduced into regression fixtures.
    private static string CrashDirectory() =>
        Environment.GetEnvironmentVariable("MODELAUDIT_FUZZ_CRASHES") is { Length: > 0 } dir ? dir : Path.Combine(Scan.RepoRoot, "out", "fuzz-crashes");
}
