using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Tests;

/// <summary>Concurrency (issue 17): parallel scans of the same and different files give the results a sequential
/// scan gives, and a cancelled parallel scan stops its workers and leaves no temp files.</summary>
[Collection(nameof(TempFolderCollection))]
public sealed class ConcurrencyTests
{
    private static readonly string[] s_fixtures =
    {
        "malicious/os_system_p4.pkl", "benign/torch_state_dict.pt", "benign/numpy_arrays.npz", "malicious/torch_zip_os_system.pt",
        "benign/gguf_tiny_llama.gguf", "benign/sklearn_forest_gzip.joblib", "malicious/os_system.pkl.lz4", "benign/torch_state_dict.7z",
    };

    private static string Fingerprint(ModelScanResult r) =>
        $"{r.Path} {r.Outcome} {r.Format} {r.Sha256} " + string.Join(" | ", r.Findings.Select(f => $"{f.RuleId} {f.Severity} {f.Member} {f.Offset} {f.Message} {f.Fingerprint}"));

    [Fact]
    public void Parallel_scans_of_the_same_and_different_files_equal_a_sequential_scan()
    {
        // Every fixture four times, interleaved: the same file is scanned by several workers at once.
        ScanItem[] items = Enumerable.Range(0, 4).SelectMany(_ => s_fixtures).Select(f => LocalFileSource.ItemFor(Scan.Fixture(f))).ToArray();
        var engine = new ScanEngine(new ScanOptions());
        string[] sequential = items.Select(i => Fingerprint(engine.Scan(i, CancellationToken.None))).ToArray();
        using var scan = new ParallelScan(engine, items, throttle: 8, CancellationToken.None);
        string[] parallel = items.Select((_, i) => Fingerprint(scan.Take(i, CancellationToken.None))).ToArray();
        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public void A_cancelled_parallel_scan_stops_its_workers_and_leaves_no_temp_files()
    {
        string temp = Directory.CreateTempSubdirectory("modelaudit-tmp-").FullName;
        string? saved = Environment.GetEnvironmentVariable("TMPDIR");
        try
        {
            // Path.GetTempPath follows TMPDIR on Unix: anything the engine writes to temp would land here.
            Environment.SetEnvironmentVariable("TMPDIR", temp);
            ScanItem[] items = Enumerable.Range(0, 50).SelectMany(_ => s_fixtures).Select(f => LocalFileSource.ItemFor(Scan.Fixture(f))).ToArray();
            using var cancel = new CancellationTokenSource();
            var scan = new ParallelScan(new ScanEngine(new ScanOptions()), items, throttle: 4, cancel.Token);
            scan.Take(0, CancellationToken.None);
            cancel.Cancel();
            Assert.Throws<OperationCanceledException>(() => scan.Take(items.Length - 1, cancel.Token));

            // Dispose waits for the workers; afterwards every item is finished (scanned or cancelled), none running.
            scan.Dispose();
            Assert.All(Enumerable.Range(0, items.Length), i => Assert.True(scan.IsDone(i)));
            Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
        }
        finally
        {
            Environment.SetEnvironmentVariable("TMPDIR", saved);
            Directory.Delete(temp, recursive: true);
        }
    }
}
