using System.Text;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;
using ModelAudit.Engine.Sources.Gcs;
using ModelAudit.Engine.Tests.Remote;

namespace ModelAudit.Engine.Tests;

/// <summary>Google Cloud Storage through the JSON API, against a loopback API (<see cref="FakeGcs"/>).</summary>
public sealed class GcsSourceTests : IDisposable
{
    private const string Bucket = "models-bucket";
    private const string Token = "ya29.TestTokenThatMustNeverBeShown0123";
    private readonly FakeGcs _gcs = new();

    public void Dispose() => _gcs.Dispose();

    private GcsSource Source(string uri, string? token = null) => new(GcsLocation.TryParse(uri)!, new Uri(_gcs.Endpoint), token);

    private (List<ModelScanResult> Results, List<SourceEvent> Events) ScanAll(string uri, ScanOptions? options = null, string? token = null) =>
        RemoteScan.All(Source(uri, token), options);

    [Theory]
    [InlineData("gs://models-bucket", "models-bucket", "")]
    [InlineData("gs://models-bucket/", "models-bucket", "")]
    [InlineData("gs://my.bucket_1/team/model/", "my.bucket_1", "team/model/")]
    [InlineData("GS://abc/x.pkl", "abc", "x.pkl")]
    public void Locations_parse(string text, string bucket, string prefix) =>
        Assert.Equal(new GcsLocation(bucket, prefix), GcsLocation.TryParse(text));

    [Theory]
    [InlineData("gs://")]
    [InlineData("gs://ab/x")]
    [InlineData("gs://Upper/x")]
    [InlineData("gs://bad bucket/x")]
    [InlineData("s3://bucket/x")]
    public void Other_text_is_not_a_location(string text) => Assert.Null(GcsLocation.TryParse(text));

    [Fact]
    public void A_bad_location_is_a_format_error() =>
        Assert.Throws<FormatException>(() => RemoteTarget.SourceFor("gs://A", null));

    [Fact]
    public void A_bucket_scans_each_object_with_its_uri_as_path()
    {
        _gcs.AddObject(Bucket, "model.safetensors", RemoteScan.SafeTensors());
        _gcs.AddObject(Bucket, "sub/evil.pkl", RemoteScan.EvilPickle());
        _gcs.AddObject(Bucket, "config.json", Encoding.UTF8.GetBytes("{\"model_type\":\"bert\"}"));

        var (results, events) = ScanAll($"gs://{Bucket}");

        Assert.Empty(events);
        Assert.Equal(new[] { $"gs://{Bucket}/config.json", $"gs://{Bucket}/model.safetensors", $"gs://{Bucket}/sub/evil.pkl" }, results.Select(r => r.Path));
        Assert.Equal((ScanOutcome.Clean, "SafeTensors"), (results[1].Outcome, results[1].Format));
        Assert.True(results[2].Has("MA1001", Severity.Critical), results[2].Describe());
        Assert.Equal(ScanOutcome.Issues, results[2].Outcome);
        Assert.Equal(ScanOutcome.Clean, results[0].Outcome);
    }

    [Fact]
    public void Listings_are_followed_page_by_page_and_filtered_by_name()
    {
        _gcs.PageSize = 2;
        for (int i = 0; i < 7; i++)
        {
            _gcs.AddObject(Bucket, $"d{i % 2}/f{i}.json", Encoding.UTF8.GetBytes("{}"));
        }

        _gcs.AddObject(Bucket, "d0/evil.pkl", RemoteScan.EvilPickle());

        var (all, _) = ScanAll($"gs://{Bucket}/");
        var (pickles, _) = ScanAll($"gs://{Bucket}/", new ScanOptions { Include = new[] { "*.pkl" } });

        Assert.Equal(8, all.Count);
        Assert.Equal(all.Select(r => r.Path).Order(StringComparer.Ordinal), all.Select(r => r.Path));
        Assert.Contains(_gcs.Requests, r => r.Contains("pageToken=page-6", StringComparison.Ordinal));
        Assert.Equal($"gs://{Bucket}/d0/evil.pkl", Assert.Single(pickles).Path);
    }

    [Fact]
    public void A_name_means_that_object_and_its_folder_not_every_name_it_prefixes()
    {
        _gcs.AddObject(Bucket, "model.pkl", RemoteScan.EvilPickle());
        _gcs.AddObject(Bucket, "model.pkl.bak", Encoding.UTF8.GetBytes("{}"));
        _gcs.AddObject(Bucket, "sub/a.json", Encoding.UTF8.GetBytes("{}"));
        _gcs.AddObject(Bucket, "subway/b.json", Encoding.UTF8.GetBytes("{}"));

        Assert.Equal($"gs://{Bucket}/model.pkl", Assert.Single(ScanAll($"gs://{Bucket}/model.pkl").Results).Path);
        Assert.Equal($"gs://{Bucket}/sub/a.json", Assert.Single(ScanAll($"gs://{Bucket}/sub").Results).Path);
    }

    [Fact]
    public void A_large_object_rejected_by_its_header_is_read_by_ranges_not_downloaded()
    {
        const int size = 64 << 20;
        _gcs.AddObject(Bucket, "big.safetensors", RemoteScan.BigBadSafeTensors(size));

        var (results, _) = ScanAll($"gs://{Bucket}", new ScanOptions { SkipHash = true });

        ModelScanResult result = Assert.Single(results);
        Assert.True(result.Has("MA6010", Severity.Warning), result.Describe());
        Assert.True(_gcs.BytesServed < size / 16, $"{_gcs.BytesServed:N0} of {size:N0} bytes were transferred");
    }

    [Fact]
    public void An_object_that_needs_more_than_the_download_cap_is_inconclusive_not_clean()
    {
        const int cap = 2 << 20;
        _gcs.AddObject(Bucket, "w.safetensors", RemoteScan.SafeTensors(8 << 20));
        var source = new GcsSource(GcsLocation.TryParse($"gs://{Bucket}")!, new Uri(_gcs.Endpoint), null, new RemoteReadSettings { MaxDownloadSize = cap });

        var (results, _) = RemoteScan.All(source);

        ModelScanResult capped = Assert.Single(results);
        Assert.Equal(ScanOutcome.Inconclusive, capped.Outcome);
        Assert.Contains("-MaxDownloadSize", capped.Findings.Single(f => f.RuleId == "MA9002").Message, StringComparison.Ordinal);
        Assert.Empty(capped.Errors);
        Assert.True(_gcs.BytesServed <= cap, $"{_gcs.BytesServed:N0} bytes transferred");
    }

    [Fact]
    public void The_token_goes_to_the_api_only_never_across_a_redirect_and_never_into_output()
    {
        _gcs.RequiredAuthorization = "Bearer " + Token;
        _gcs.RedirectDownloads = true;
        _gcs.AddObject(Bucket, "evil.pkl", RemoteScan.EvilPickle());

        var (results, events) = ScanAll($"gs://{Bucket}", token: Token);

        Assert.Empty(events);
        Assert.True(Assert.Single(results).Has("MA1001", Severity.Critical));
        Assert.All(_gcs.Requests, r => Assert.EndsWith("auth=yes", r, StringComparison.Ordinal));
        Assert.Empty(_gcs.CdnAuthorizations);
        Assert.DoesNotContain(Token, RemoteScan.Output(results, events), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "401")]
    [InlineData("ya29.WrongToken", "403")]
    public void A_missing_or_rejected_token_is_a_listing_error_that_does_not_show_it(string? token, string status)
    {
        _gcs.RequiredAuthorization = "Bearer " + Token;
        _gcs.AddObject(Bucket, "evil.pkl", RemoteScan.EvilPickle());

        var (results, events) = ScanAll($"gs://{Bucket}", token: token);

        Assert.Empty(results);
        SourceEvent failure = Assert.Single(events);
        Assert.Equal(SourceEventKind.RemoteAccessDenied, failure.Kind);
        Assert.Contains(status, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("WrongToken", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_bucket_or_prefix_is_a_listing_error()
    {
        _gcs.AddObject(Bucket, "a.json", Encoding.UTF8.GetBytes("{}"));

        SourceEvent bucket = Assert.Single(ScanAll("gs://no-such-bucket").Events);
        Assert.Equal(SourceEventKind.RemoteNotFound, bucket.Kind);
        Assert.Contains("404", bucket.Message, StringComparison.Ordinal);
        var (results, events) = ScanAll($"gs://{Bucket}/nothing/");
        Assert.Empty(results);
        Assert.Equal(SourceEventKind.RemoteNotFound, Assert.Single(events).Kind);
        Assert.Contains("no object", events[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answer_that_is_not_json_is_a_listing_error()
    {
        _gcs.AddObject(Bucket, "a.json", Encoding.UTF8.GetBytes("{}"));
        _gcs.BreakJson = true;

        var (results, events) = ScanAll($"gs://{Bucket}");

        Assert.Empty(results);
        Assert.Equal(SourceEventKind.Unreadable, Assert.Single(events).Kind);
        Assert.Contains("did not answer with JSON", events[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forbidden_download_is_that_objects_error_and_the_scan_goes_on()
    {
        _gcs.AddObject(Bucket, "a.safetensors", RemoteScan.SafeTensors());
        _gcs.AddObject(Bucket, "b.safetensors", RemoteScan.SafeTensors());
        _gcs.StatusByPath[$"/storage/v1/b/{Bucket}/o/a.safetensors"] = 403;

        var (results, _) = ScanAll($"gs://{Bucket}");

        Assert.Equal((ScanOutcome.Error, ScanOutcome.Clean), (results[0].Outcome, results[1].Outcome));
        Assert.Contains("403", string.Join(";", results[0].Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void An_object_replaced_after_listing_is_an_error_not_a_mix_of_versions()
    {
        _gcs.AddObject(Bucket, "model.safetensors", RemoteScan.SafeTensors());
        var options = new ScanOptions();
        ScanItem item = Assert.Single(Source($"gs://{Bucket}").Enumerate(options, _ => { }));
        _gcs.AddObject(Bucket, "model.safetensors", RemoteScan.EvilPickle());

        ModelScanResult result = new ScanEngine(options).Scan(item, CancellationToken.None);

        Assert.Equal(ScanOutcome.Error, result.Outcome);
    }

    [Fact]
    public void Server_errors_are_retried()
    {
        _gcs.AddObject(Bucket, "config.json", Encoding.UTF8.GetBytes("{}"));
        _gcs.FailNext = 2;

        var (results, events) = ScanAll($"gs://{Bucket}");

        Assert.Empty(events);
        Assert.Equal(ScanOutcome.Clean, Assert.Single(results).Outcome);
    }
}
