using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Tests;

/// <summary>A folder holding one benign model of every format, siblings included, scans Clean file by file: a data
/// file a model reads (ONNX external data, OpenVINO .bin, checkpoint shards) is that model's data, not unknown content.</summary>
public sealed class FormatFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ma-formats-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Committed => Scan.Fixture("formats");

    private static void Write(string root)
    {
        foreach ((string path, byte[] bytes) in BenignFormatFolder.Files())
        {
            string full = Path.Combine(root, path.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
        }
    }

    private static List<ModelScanResult> ScanFolder(string root)
    {
        var engine = new ScanEngine(new ScanOptions { Recurse = true });
        return LocalFileSource.Enumerate(root, engine.Options, _ => { }).Select(item => engine.Scan(item, CancellationToken.None)).ToList();
    }

    [Fact]
    public void Every_file_of_the_benign_format_folder_scans_clean()
    {
        Write(_dir);
        List<ModelScanResult> results = ScanFolder(_dir);
        Assert.Equal(BenignFormatFolder.Files().Count, results.Count);
        Assert.All(results, r => Assert.True(r.Outcome == ScanOutcome.Clean, $"{Path.GetRelativePath(_dir, r.Path)}: {r.Describe()}"));
    }

    // The Pester suite scans the committed copy; regenerate it with MODELAUDIT_WRITE_FIXTURES=1 after changing a builder.
    // Archives carry the time they were built, so the copy is compared by its file list and by what it scans as.
    [Fact]
    public void The_committed_folder_holds_the_same_files_and_they_scan_clean()
    {
        if (Environment.GetEnvironmentVariable("MODELAUDIT_WRITE_FIXTURES") == "1")
        {
            Write(Committed);
        }

        string[] expected = BenignFormatFolder.Files().Select(f => f.Path).Order(StringComparer.Ordinal).ToArray();
        string[] committed = Directory.EnumerateFiles(Committed, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Committed, p).Replace(Path.DirectorySeparatorChar, '/')).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, committed);
        List<ModelScanResult> results = ScanFolder(Committed);
        Assert.All(results, r => Assert.True(r.Outcome == ScanOutcome.Clean, $"{Path.GetRelativePath(Committed, r.Path)}: {r.Describe()}"));
    }
}
