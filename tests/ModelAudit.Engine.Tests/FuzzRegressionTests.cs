using ModelAudit.Engine.Tests.Fuzzing;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// Every input the fuzzer ever broke an invariant with (tests/fixtures/fuzz-regressions, listed in expected.tsv with
/// the outcome and rule each must give): each keeps its stated verdict and passes every fuzz invariant again.
/// </summary>
public sealed class FuzzRegressionTests
{
    private static string Folder => Scan.Fixture("fuzz-regressions");

    public static TheoryData<string, ScanOutcome, string, string> Cases()
    {
        var cases = new TheoryData<string, ScanOutcome, string, string>();
        foreach (string line in File.ReadAllLines(Path.Combine(Folder, "expected.tsv")))
        {
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            string[] fields = line.Split('\t');
            cases.Add(fields[0], Enum.Parse<ScanOutcome>(fields[1]), fields[2], fields[3]);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_past_fuzz_finding_gives_its_stated_outcome(string file, ScanOutcome outcome, string rule, string status)
    {
        // The fuzz harness exempts no known issue: an input is committed here with its fix.
        Assert.Equal("fixed", status);
        byte[] data = File.ReadAllBytes(Path.Combine(Folder, file));
        ModelScanResult result = Scan.Bytes(data, file);
        Assert.True(result.Outcome == outcome && result.Has(rule), result.Describe());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_past_fuzz_finding_breaks_no_invariant(string file, ScanOutcome outcome, string rule, string status)
    {
        _ = (outcome, rule, status);
        byte[] data = File.ReadAllBytes(Path.Combine(Folder, file));
        var executor = new FuzzExecutor(new FuzzBudget());
        FuzzExecution execution = executor.Execute(data, file, payloadIntact: false, checkDeterminism: true, textKind: 0);
        Assert.True(execution.Violations.Count == 0, string.Join("\n", execution.Violations));

        // Every other fragment kind for the analyzers (the engine pass above saw the first); one engine pass is
        // enough, and some of these inputs decompress to the 256 MiB ratio floor.
        for (int kind = 1; kind < Enum.GetValues<Analyzers.ContentKind>().Length; kind++)
        {
            foreach (string name in executor.AnalyzerNames.Distinct())
            {
                var analyzed = new FuzzExecution();
                executor.ExecuteAnalyzers(executor.AnalyzersNamed(name), data, file, kind, analyzed);
                Assert.True(analyzed.Violations.Count == 0, string.Join("\n", analyzed.Violations));
            }
        }

        // The campaign's turns run each parser alone (FuzzExecutor.ExecuteScanner); an input found that way is
        // checked that way too.
        foreach (string scanner in executor.ScannerNames)
        {
            var alone = new FuzzExecution();
            executor.ExecuteScanner(executor.ScannerNamed(scanner), data, file, alone);
            Assert.True(alone.Violations.Count == 0, string.Join("\n", alone.Violations));
        }
    }

    [Fact]
    public void Every_committed_regression_input_is_listed()
    {
        string[] listed = Cases().Select(c => (string)c[0]).ToArray();
        string[] present = Directory.GetFiles(Folder).Select(Path.GetFileName).Where(n => n != "expected.tsv").ToArray()!;
        Assert.Equal(present.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }
}
