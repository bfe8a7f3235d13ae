using System.Text;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;
using ModelAudit.Engine.Sources.Cache;
using ModelAudit.Engine.Sources.Gcs;
using ModelAudit.Engine.Sources.HuggingFace;
using ModelAudit.Engine.Tests.Remote;

namespace ModelAudit.Engine.Tests;

/// <summary>The download cache (-CacheDirectory) over the loopback GCS and Hub servers: what is transferred on a
/// hit, a changed version, -NoCache and a damaged entry, and that results are the same either way.</summary>
public sealed class DownloadCacheTests : IDisposable
{
    private const string Bucket = "models-bucket";
    private readonly FakeGcs _gcs = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "modelaudit-cache-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _gcs.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    // Each scan gets a fresh source, as each Invoke-ModelScan does; only the cache folder is shared.
    private (List<ModelScanResult> Results, long Transferred) Scan(DownloadCache? cache)
    {
        long before = _gcs.BytesServed;
        var source = new GcsSource(GcsLocation.TryParse($"gs://{Bucket}")!, new Uri(_gcs.Endpoint), null, new RemoteReadSettings { Cache = cache });
        var (results, events) = RemoteScan.All(source);
        Assert.Empty(events);
        return (results, _gcs.BytesServed - before);
    }

    private static string Fingerprint(IEnumerable<ModelScanResult> results) => string.Join("\n", results.Select(r =>
        $"{r.Path} {r.Outcome} {r.Format} {r.Sha256} {string.Join(";", r.Errors)} " + string.Join(";", r.Findings.Select(f => f.RuleId + ":" + f.Severity + ":" + f.Message))));

    private void AddModels()
    {
        _gcs.AddObject(Bucket, "evil.pkl", RemoteScan.EvilPickle());
        _gcs.AddObject(Bucket, "model.safetensors", RemoteScan.SafeTensors(3 << 20));
    }

    [Fact]
    public void A_second_scan_reads_from_the_cache_transfers_nothing_and_gives_the_same_results()
    {
        AddModels();
        var (uncached, _) = Scan(null);

        var (first, firstTransferred) = Scan(new DownloadCache(_directory));
        var (second, secondTransferred) = Scan(new DownloadCache(_directory));

        Assert.True(firstTransferred > 3 << 20, $"{firstTransferred:N0} bytes on the first scan");
        Assert.Equal(0, secondTransferred);
        Assert.Equal(Fingerprint(uncached), Fingerprint(first));
        Assert.Equal(Fingerprint(first), Fingerprint(second));
        Assert.True(second.Single(r => r.Path.EndsWith("evil.pkl", StringComparison.Ordinal)).Has("MA1001", Severity.Critical));
        Assert.Equal(2, Directory.GetFiles(_directory).Length); // two whole entries, no partial file left behind
    }

    [Fact]
    public void A_changed_etag_is_a_miss_and_the_new_bytes_are_scanned()
    {
        // The same length both times, so only the version identity can tell the two apart.
        int length = RemoteScan.EvilPickle().Length;
        _gcs.AddObject(Bucket, "model.pkl", Encoding.UTF8.GetBytes("{" + new string(' ', length - 2) + "}"));
        Scan(new DownloadCache(_directory));

        _gcs.AddObject(Bucket, "model.pkl", RemoteScan.EvilPickle()); // new content: new md5Hash, the ETag this source keys on
        var (results, transferred) = Scan(new DownloadCache(_directory));

        Assert.Equal(length, transferred);
        Assert.True(Assert.Single(results).Has("MA1001", Severity.Critical), results[0].Describe());
    }

    [Fact]
    public void NoCache_transfers_again_whatever_the_cache_holds()
    {
        AddModels();
        var (first, _) = Scan(DownloadCache.Resolve(_directory, noCache: false));

        var (second, transferred) = Scan(DownloadCache.Resolve(_directory, noCache: true));

        Assert.True(transferred > 3 << 20, $"{transferred:N0} bytes with -NoCache");
        Assert.Equal(Fingerprint(first), Fingerprint(second));
    }

    [Fact]
    public void A_truncated_entry_is_ignored_and_replaced()
    {
        _gcs.AddObject(Bucket, "model.safetensors", RemoteScan.SafeTensors(3 << 20));
        var (first, _) = Scan(new DownloadCache(_directory));
        string entry = Assert.Single(Directory.GetFiles(_directory));
        long whole = new FileInfo(entry).Length;
        using (FileStream file = File.Open(entry, FileMode.Open))
        {
            file.SetLength(whole / 2);
        }

        var (second, transferred) = Scan(new DownloadCache(_directory));

        Assert.Equal(whole, transferred);
        Assert.Equal(Fingerprint(first), Fingerprint(second));
        Assert.Equal(whole, new FileInfo(entry).Length);
        Assert.Equal(0, Scan(new DownloadCache(_directory)).Transferred);
    }

    [Fact]
    public void Bytes_that_differ_from_the_published_sha256_are_never_cached()
    {
        using var hub = new FakeHub();
        hub.AddFile("models", "org/model", "model.safetensors", RemoteScan.SafeTensors(), lfs: true, publishedSha256: new string('a', 64));
        var cache = new DownloadCache(_directory);
        var source = new HuggingFaceSource(HuggingFaceRepo.TryParse("hf://org/model", null)!, new Uri(hub.Endpoint), null, new RemoteReadSettings { Cache = cache });

        var (results, _) = RemoteScan.All(source);

        Assert.True(Assert.Single(results).Has("MA6340", Severity.Critical), results[0].Describe());
        Assert.Empty(Directory.GetFiles(_directory));
    }
}
