using System.Buffers.Binary;
using System.Text;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;
using ModelAudit.Engine.Sources.HuggingFace;
using ModelAudit.Engine.Tests.Remote;

namespace ModelAudit.Engine.Tests;

/// <summary>Hugging Face repositories through the Hub API, against a loopback Hub (<see cref="FakeHub"/>).</summary>
public sealed class HuggingFaceSourceTests : IDisposable
{
    private const string Repo = "org/model";
    private const string Token = "hf_TestTokenThatMustNeverBeShown0123";
    private readonly FakeHub _hub = new();

    public void Dispose() => _hub.Dispose();

    private static byte[] SafeTensors(int dataLength = 16)
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[" + dataLength / 4 + "],\"data_offsets\":[0," + dataLength + "]}}");
        byte[] data = new byte[8 + json.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(data, (ulong)json.Length);
        json.CopyTo(data, 8);
        return data;
    }

    private HuggingFaceSource Source(string uri, string? token = null) =>
        new(HuggingFaceRepo.TryParse(uri, null)!, new Uri(_hub.Endpoint), token);

    private (List<ModelScanResult> Results, List<SourceEvent> Events) ScanAll(string uri, ScanOptions? options = null, string? token = null)
    {
        options ??= new ScanOptions();
        var events = new List<SourceEvent>();
        var engine = new ScanEngine(options);
        List<ModelScanResult> results = Source(uri, token).Enumerate(options, events.Add).Select(i => engine.Scan(i, CancellationToken.None)).ToList();
        return (results, events);
    }

    [Theory]
    [InlineData("hf://org/model", "model", "org/model", "main", "")]
    [InlineData("hf://org/model@v1.0/sub/x.bin", "model", "org/model", "v1.0", "sub/x.bin")]
    [InlineData("hf://datasets/org/data@refs%2Fpr%2F1", "dataset", "org/data", "refs/pr/1", "")]
    [InlineData("hf://spaces/org/app/app.py", "space", "org/app", "main", "app.py")]
    [InlineData("https://huggingface.co/org/model", "model", "org/model", "main", "")]
    [InlineData("https://huggingface.co/org/model/tree/dev/weights", "model", "org/model", "dev", "weights")]
    [InlineData("https://huggingface.co/datasets/org/data/blob/main/a/b.pkl", "dataset", "org/data", "main", "a/b.pkl")]
    [InlineData("https://hf.co/org/model/resolve/abc123/model.safetensors", "model", "org/model", "abc123", "model.safetensors")]
    public void Hub_references_parse(string text, string kind, string id, string revision, string path)
    {
        HuggingFaceRepo repo = Assert.IsType<HuggingFaceRepo>(HuggingFaceRepo.TryParse(text, null));
        Assert.Equal((kind, id, revision, path), (repo.Kind, repo.Id, repo.Revision, repo.Path));
    }

    [Theory]
    [InlineData("hf://org")]
    [InlineData("hf://org/model/../other/x")]
    [InlineData("https://huggingface.co/org/model/discussions/3")]
    [InlineData("https://example.com/org/model")]
    [InlineData("s3://bucket/key")]
    public void Other_references_are_not_hub_repositories(string text) => Assert.Null(HuggingFaceRepo.TryParse(text, null));

    [Fact]
    public void A_mirror_host_from_HF_ENDPOINT_is_a_hub_host()
    {
        HuggingFaceRepo? repo = HuggingFaceRepo.TryParse("http://127.0.0.1:9/org/model/tree/main/a", "127.0.0.1:9");
        Assert.Equal(("org/model", "a"), (repo!.Id, repo.Path));
    }

    [Theory]
    [InlineData("s3://bucket/prefix/", true)]
    [InlineData("gs://bucket/x", true)]
    [InlineData("hf://org/model", true)]
    [InlineData("https://huggingface.co/org/model", true)]
    [InlineData("models:/Name/3", true)]
    [InlineData("runs:/abc/model", true)]
    [InlineData("C:\\models\\a.pkl", false)]
    [InlineData("./models/a.pkl", false)]
    [InlineData("s3:relative", false)]
    [InlineData("Env:HOME", false)]
    public void Remote_uris_are_recognised_before_paths(string text, bool remote) => Assert.Equal(remote, RemoteTarget.IsRemote(text));

    [Fact]
    public void Unsupported_stores_are_a_clear_error_not_a_drive_error()
    {
        // gs://, s3://, models:/ and Artifactory URLs have sources now; a web URL that is none of them does not.
        var ex = Assert.Throws<NotSupportedException>(() => RemoteTarget.SourceFor("https://example.com/models/model.pkl", null));
        Assert.Contains("https://", ex.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => RemoteTarget.SourceFor("hf://org", null));
    }

    [Fact]
    public void A_file_that_needs_more_than_the_download_cap_is_inconclusive_not_clean()
    {
        const int cap = 2 << 20;
        _hub.AddFile("models", Repo, "w.safetensors", SafeTensors(8 << 20), lfs: true);
        var source = new HuggingFaceSource(HuggingFaceRepo.TryParse($"hf://{Repo}", null)!, new Uri(_hub.Endpoint), null, new RemoteReadSettings { MaxDownloadSize = cap });

        var (results, _) = RemoteScan.All(source);

        ModelScanResult capped = Assert.Single(results);
        Assert.Equal(ScanOutcome.Inconclusive, capped.Outcome);
        Assert.Contains("-MaxDownloadSize", capped.Findings.Single(f => f.RuleId == "MA9002").Message, StringComparison.Ordinal);
        Assert.Empty(capped.Errors);
        Assert.True(_hub.BytesServed <= cap, $"{_hub.BytesServed:N0} bytes transferred");
    }

    [Fact]
    public void A_repository_scans_each_file_with_its_uri_as_path()
    {
        _hub.AddFile("models", Repo, "model.safetensors", SafeTensors(), lfs: true);
        _hub.AddFile("models", Repo, "sub/evil.pkl", PickleBuilder.Gadget("os", "system", "id"), lfs: true);
        _hub.AddFile("models", Repo, "config.json", Encoding.UTF8.GetBytes("{\"model_type\":\"bert\"}"));

        var (results, events) = ScanAll("hf://org/model");

        Assert.Empty(events);
        Assert.Equal(new[] { "hf://org/model@main/config.json", "hf://org/model@main/model.safetensors", "hf://org/model@main/sub/evil.pkl" },
            results.Select(r => r.Path));
        ModelScanResult safe = results[1];
        Assert.Equal((ScanOutcome.Clean, "SafeTensors"), (safe.Outcome, safe.Format));
        Assert.True(results[2].Has("MA1001", Severity.Critical), results[2].Describe());
        Assert.Equal(ScanOutcome.Clean, results[0].Outcome);
        Assert.DoesNotContain(results.SelectMany(r => r.Findings), f => f.RuleId is "MA6340" or "MA6341");
    }

    [Fact]
    public void An_lfs_file_whose_bytes_differ_from_the_published_oid_is_critical()
    {
        string published = new('a', 64);
        _hub.AddFile("models", Repo, "model.safetensors", SafeTensors(), lfs: true, publishedSha256: published);

        var (results, _) = ScanAll("hf://org/model/model.safetensors");

        ModelScanResult result = Assert.Single(results);
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA6340");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(published, finding.Evidence);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void Without_hashing_the_published_oid_is_reported_as_not_verified()
    {
        _hub.AddFile("models", Repo, "model.safetensors", SafeTensors(), lfs: true, publishedSha256: new string('b', 64));

        var (results, _) = ScanAll("hf://org/model", new ScanOptions { SkipHash = true });

        ModelScanResult result = Assert.Single(results);
        Assert.True(result.Has("MA6341", Severity.Info), result.Describe());
        Assert.False(result.Has("MA6340"));
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void A_large_file_rejected_by_its_header_is_read_by_ranges_not_downloaded()
    {
        const int size = 64 << 20;
        byte[] big = new byte[size];
        BinaryPrimitives.WriteUInt64LittleEndian(big, 1UL << 40); // a header length far past the file's end
        Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",").CopyTo(big, 8);
        _hub.AddFile("models", Repo, "big.safetensors", big, lfs: true);

        var (results, _) = ScanAll("hf://org/model", new ScanOptions { SkipHash = true });

        ModelScanResult result = Assert.Single(results);
        Assert.True(result.Has("MA6010", Severity.Warning), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
        Assert.True(_hub.BytesServed < size / 16, $"{_hub.BytesServed:N0} of {size:N0} bytes were transferred");
    }

    [Fact]
    public void Listings_are_followed_page_by_page_and_filtered_by_name()
    {
        _hub.PageSize = 2;
        for (int i = 0; i < 7; i++)
        {
            _hub.AddFile("models", Repo, $"d{i % 2}/f{i}.json", Encoding.UTF8.GetBytes("{}"));
        }

        _hub.AddFile("models", Repo, "d0/evil.pkl", PickleBuilder.Gadget("os", "system", "id"));

        var (all, _) = ScanAll("hf://org/model");
        var (pickles, _) = ScanAll("hf://org/model", new ScanOptions { Include = new[] { "*.pkl" } });

        Assert.Equal(8, all.Count);
        Assert.Equal(all.Select(r => r.Path).Order(StringComparer.Ordinal), all.Select(r => r.Path));
        Assert.Contains(_hub.Requests, r => r.Contains("cursor=4", StringComparison.Ordinal));
        Assert.Equal("hf://org/model@main/d0/evil.pkl", Assert.Single(pickles).Path);
    }

    [Fact]
    public void Datasets_and_folders_are_listed_under_their_own_paths()
    {
        _hub.AddFile("datasets", "org/data", "train/a.pkl", PickleBuilder.Gadget("os", "system", "id"));
        _hub.AddFile("datasets", "org/data", "README.md", Encoding.UTF8.GetBytes("# data"));

        var (results, events) = ScanAll("https://huggingface.co/datasets/org/data/tree/main/train");

        Assert.Empty(events);
        ModelScanResult result = Assert.Single(results);
        Assert.Equal("hf://datasets/org/data@main/train/a.pkl", result.Path);
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    [Fact]
    public void The_token_goes_to_the_hub_only_and_never_into_output()
    {
        _hub.RequiredToken = Token;
        _hub.AddFile("models", Repo, "evil.pkl", PickleBuilder.Gadget("os", "system", "id"), lfs: true);

        var (results, events) = ScanAll("hf://org/model", token: Token);

        Assert.Empty(events);
        Assert.True(Assert.Single(results).Has("MA1001", Severity.Critical));
        Assert.All(_hub.Requests, r => Assert.EndsWith("auth=yes", r, StringComparison.Ordinal));
        Assert.Empty(_hub.CdnAuthorizations);
        Assert.DoesNotContain(Token, Describe(results, events), StringComparison.Ordinal);
    }

    [Fact]
    public void A_rejected_token_is_a_listing_error_that_does_not_show_it()
    {
        _hub.RequiredToken = Token;
        _hub.AddFile("models", Repo, "evil.pkl", PickleBuilder.Gadget("os", "system", "id"));

        var (results, events) = ScanAll("hf://org/model", token: "hf_WrongToken");

        Assert.Empty(results);
        SourceEvent failure = Assert.Single(events);
        Assert.Equal(SourceEventKind.Unreadable, failure.Kind);
        Assert.Contains("401", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hf_WrongToken", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_repository_is_a_listing_error()
    {
        var (results, events) = ScanAll("hf://org/nothing");

        Assert.Empty(results);
        Assert.Contains("404", Assert.Single(events).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_errors_are_retried()
    {
        _hub.AddFile("models", Repo, "config.json", Encoding.UTF8.GetBytes("{}"));
        _hub.FailNext = 2;

        var (results, events) = ScanAll("hf://org/model");

        Assert.Empty(events);
        Assert.Equal(ScanOutcome.Clean, Assert.Single(results).Outcome);
    }

    [Fact]
    public void A_truncated_download_is_that_files_error_and_the_scan_goes_on()
    {
        _hub.AddFile("models", Repo, "a.safetensors", SafeTensors(4096), lfs: true);
        _hub.AddFile("models", Repo, "b.safetensors", SafeTensors(), lfs: true);
        _hub.Truncate.Add("a.safetensors");

        var (results, _) = ScanAll("hf://org/model");

        Assert.Equal(2, results.Count);
        Assert.Equal(ScanOutcome.Error, results[0].Outcome);
        Assert.NotEmpty(results[0].Errors);
        Assert.Equal(ScanOutcome.Clean, results[1].Outcome);
    }

    private static string Describe(List<ModelScanResult> results, List<SourceEvent> events) =>
        string.Join("\n", results.Select(r => r.Describe() + " " + string.Join(";", r.Errors)).Concat(events.Select(e => e.Path + " " + e.Message)));
}
