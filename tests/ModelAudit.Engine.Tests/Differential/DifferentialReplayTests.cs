using Xunit.Abstractions;

namespace ModelAudit.Engine.Tests.Differential;

/// <summary>
/// Replays the committed differential corpus (tests/fixtures/differential/corpus.jsonl.gz, CPython's verdicts recorded by
/// tests/Differential/oracle.py) against the engine. No Python is needed. With DIFFERENTIAL_CORPUS set, the long-run fact
/// checks that file instead and writes its summary to DIFFERENTIAL_REPORT (see tests/Differential/Run-Differential.ps1).
/// </summary>
public sealed class DifferentialReplayTests
{
    private readonly ITestOutputHelper _output;

    public DifferentialReplayTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static string KnownList => Path.Combine(Scan.RepoRoot, "tests", "Differential", "known-disagreements.txt");

    [Fact]
    public void CommittedCorpusAgreesWithCPython()
    {
        string corpus = Scan.Fixture(Path.Combine("differential", "corpus.jsonl.gz"));
        (DifferentialSummary summary, DifferentialChecker checker) = Run(corpus, DifferentialCorpus.KnownDisagreements(KnownList));
        string report = summary.Format(checker.Informational, checker.Notes);
        _output.WriteLine(report);
        Assert.True(summary.Checked > 1000, $"only {summary.Checked} cases were checked\n{report}");
        Assert.True(summary.Disagreements.Count == 0, report);

        // The list holds only cases that still disagree: one the engine now gets right must leave it.
        Assert.True(summary.NowAgreeing.Count == 0,
            "known disagreements that now agree (remove them from known-disagreements.txt): " + string.Join(" ", summary.NowAgreeing.Order(StringComparer.Ordinal)));
    }

    /// <summary>The long run of tests/Differential/Run-Differential.ps1, which sets DIFFERENTIAL_CORPUS; excluded from
    /// the test task by its trait, so it never passes without checking anything.</summary>
    [Fact]
    [Trait("Category", "LongRun")]
    public void LongRunCorpusFromEnvironment()
    {
        string corpus = Environment.GetEnvironmentVariable("DIFFERENTIAL_CORPUS") ?? "";
        Assert.True(File.Exists(corpus), "set DIFFERENTIAL_CORPUS to a corpus made by tests/Differential/oracle.py");

        (DifferentialSummary summary, DifferentialChecker checker) = Run(corpus, DifferentialCorpus.KnownDisagreements(KnownList));
        string report = summary.Format(checker.Informational, checker.Notes, maxListed: 20000);
        if (Environment.GetEnvironmentVariable("DIFFERENTIAL_REPORT") is { Length: > 0 } path)
        {
            File.WriteAllText(path, report);
        }

        _output.WriteLine(report);
        Assert.True(summary.Disagreements.Count == 0, report);
    }

    private static (DifferentialSummary, DifferentialChecker) Run(string corpus, HashSet<string> known)
    {
        var checker = new DifferentialChecker();
        var summary = new DifferentialSummary();
        Parallel.ForEach(DifferentialCorpus.Read(corpus), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, c =>
        {
            bool skip = known.Contains(c.Id);
            summary.Add(c, skip, checker.Check(c));
        });
        return (summary, checker);
    }
}
