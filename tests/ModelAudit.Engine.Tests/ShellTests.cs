using System.Diagnostics;
using System.Text;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Tests;

/// <summary>Engine behaviour the PowerShell experience (issue 8) relies on: site-packages .pth files, unscanned
/// Git LFS weights, cancellation while hashing, result shapes that export cleanly.</summary>
public sealed class ShellTests : IDisposable
{
    private const string DistutilsLine =
        "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); ";

    private readonly string _dir = Directory.CreateTempSubdirectory("modelaudit-shell-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string text)
    {
        string path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("lib/python3.12/site-packages/distutils-precedence.pth", DistutilsLine + "\n")]
    [InlineData("lib/python3.12/site-packages/__editable__.mypkg-0.1.pth", "import __editable___mypkg_0_1_finder; __editable___mypkg_0_1_finder.install()\n")]
    [InlineData("lib/python3/dist-packages/_virtualenv.pth", "import _virtualenv\n")]
    public void Standard_site_packages_pth_files_are_info_with_their_line(string relative, string text)
    {
        ModelScanResult result = Scan.File(Write(relative, text));

        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal("MA6320", finding.RuleId);
        Assert.Equal(Severity.Info, finding.Severity);
        Assert.Equal(text.TrimEnd('\n'), finding.Evidence);
        Assert.Contains(text.Trim(), finding.Message);
    }

    [Theory]
    [InlineData("models/distutils-precedence.pth", DistutilsLine + "\n")] // beside models, not in site-packages
    [InlineData("site-packages/distutils-precedence.pth", DistutilsLine + "\nimport os; os.system('id')\n")] // a second import line
    [InlineData("site-packages/distutils-precedence.pth", "import os; os.system('id')\n")] // the name without its line
    [InlineData("site-packages/__editable__.x.pth", "import __editable___x_finder; __editable___y_finder.install()\n")] // finder names differ
    [InlineData("site-packages/__editable__.x.pth", "  import __editable___x_finder; __editable___x_finder.install(); import os\n")]
    [InlineData("site-packages/evil.pth", "import _virtualenv\n")] // a known line under another name
    public void Other_pth_files_with_imports_stay_warnings(string relative, string text)
    {
        ModelScanResult result = Scan.File(Write(relative, text));

        Assert.Equal(ScanOutcome.Issues, result.Outcome);
        Assert.True(result.Has("MA6005", Severity.Warning), result.Describe());
        Assert.False(result.Has("MA6320"), result.Describe());
    }

    [Fact]
    public void A_git_lfs_pointer_is_incomplete_coverage_at_any_minimum_severity()
    {
        byte[] pointer = Encoding.ASCII.GetBytes(
            "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n");

        foreach (Severity minimum in Enum.GetValues<Severity>())
        {
            ModelScanResult result = Scan.Bytes(pointer, "pytorch_model.bin", new ScanOptions { MinimumSeverity = minimum });
            Assert.False(result.CoverageComplete, minimum.ToString());
            Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
            Assert.True(result.Has("MA6002"), result.Describe());
            Assert.NotEqual(ExitCode.Clean, ExitCode.For(new[] { result }, hadErrors: false));
        }
    }

    [Fact]
    public void A_clean_file_has_complete_coverage()
    {
        ModelScanResult result = Scan.File(Scan.Fixture("benign/torch_state_dict.pt"));
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.True(result.CoverageComplete);
    }

    [Fact]
    public void Cancelling_stops_the_hash_of_a_large_file_within_a_second()
    {
        // 8 GiB of holes named like weights: no scanner reads past the head, so the time goes to the SHA-256 of the rest.
        string path = Path.Combine(_dir, "big.bin");
        using (var file = new FileStream(path, FileMode.CreateNew))
        {
            file.SetLength(8L << 30);
        }

        using var cancel = new CancellationTokenSource();
        var engine = new ScanEngine(new ScanOptions());
        var scan = Task.Run(() => engine.Scan(LocalFileSource.ItemFor(path), cancel.Token));
        Thread.Sleep(500);
        Assert.False(scan.IsCompleted, "the hash finished before it could be cancelled; the test proves nothing");

        var stopwatch = Stopwatch.StartNew();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => scan.GetAwaiter().GetResult());
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"stopped after {stopwatch.Elapsed}");
    }

    [Fact]
    public void Outcomes_sort_by_severity()
    {
        Assert.Equal(new[] { ScanOutcome.Clean, ScanOutcome.Inconclusive, ScanOutcome.Error, ScanOutcome.Issues },
            Enum.GetValues<ScanOutcome>().OrderBy(o => o));
    }

    [Fact]
    public void Lists_on_results_and_findings_convert_to_their_values()
    {
        ModelScanResult result = Scan.File(Scan.Fixture("malicious/os_system_p4.pkl"));
        Assert.Equal(string.Join("; ", result.Findings.Select(f => f.RuleId)), result.Findings.ToString());
        ModelRule withCves = Rules.RuleCatalog.All.First(r => r.Cve.Count > 1);
        Assert.Equal(string.Join("; ", withCves.Cve), withCves.Cve.ToString());
        Assert.Equal(string.Empty, result.Errors.ToString());
    }
}
