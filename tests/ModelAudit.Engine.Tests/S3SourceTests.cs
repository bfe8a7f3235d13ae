using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;
using ModelAudit.Engine.Sources.S3;
using ModelAudit.Engine.Tests.Remote;

namespace ModelAudit.Engine.Tests;

/// <summary>The moto server the S3 tests share; each test uses buckets of its own.</summary>
public sealed class MotoFixture : IDisposable
{
    public MotoServer Server { get; } = new();

    public void Dispose() => Server.Dispose();
}

/// <summary>s3:// sources against a real S3 server (moto on loopback): listing, paging, range reads, errors, keys.</summary>
public sealed class S3SourceTests : IClassFixture<MotoFixture>
{
    // Explicit keys in every test: the SDK's default chain (instance metadata) is never consulted here.
    private const string AccessKey = "AKIATESTS3SOURCE0001";
    private const string SecretKey = "S3SecretThatMustNeverBeShown/0123456789abc";
    private readonly MotoServer _moto;

    public S3SourceTests(MotoFixture fixture) => _moto = fixture.Server;

    private static byte[] SafeTensors(int dataLength = 16)
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[" + dataLength / 4 + "],\"data_offsets\":[0," + dataLength + "]}}");
        byte[] data = new byte[8 + json.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(data, (ulong)json.Length);
        json.CopyTo(data, 8);
        return data;
    }

    private S3Settings Settings(Uri? endpoint = null, string accessKey = AccessKey, string secretKey = SecretKey, long? maxDownload = null, TimeSpan? timeout = null) => new()
    {
        EndpointUrl = endpoint ?? _moto.Endpoint,
        Credential = new NetworkCredential(accessKey, secretKey),
        MaxDownloadSize = maxDownload,
        Timeout = timeout,
    };

    private static S3Source Source(string uri, S3Settings settings) => (S3Source)RemoteTarget.SourceFor(uri, null, settings);

    private static (List<ModelScanResult> Results, List<SourceEvent> Events) ScanAll(S3Source source, ScanOptions? options = null)
    {
        options ??= new ScanOptions();
        var events = new List<SourceEvent>();
        var engine = new ScanEngine(options);
        List<ModelScanResult> results = source.Enumerate(options, events.Add).Select(i => engine.Scan(i, CancellationToken.None)).ToList();
        return (results, events);
    }

    private static string Everything(List<ModelScanResult> results, List<SourceEvent> events) => string.Join("\n",
        results.Select(r => $"{r.Path} {r.ETag} {r.Describe()} {string.Join(";", r.Errors)} {string.Join(";", r.Findings.Select(f => f.Evidence))}")
            .Concat(events.Select(e => $"{e.Path} {e.Kind} {e.Message}")));

    [Theory]
    [InlineData("s3://bucket", "bucket", "")]
    [InlineData("s3://bucket/", "bucket", "")]
    [InlineData("s3://my.bucket-1/models/", "my.bucket-1", "models/")]
    [InlineData("S3://bucket/a/b c/x.pkl", "bucket", "a/b c/x.pkl")]
    public void S3_uris_parse(string text, string bucket, string prefix) =>
        Assert.Equal(new S3Location(bucket, prefix), S3Location.TryParse(text));

    [Theory]
    [InlineData("s3://ab/x")]
    [InlineData("s3://-bucket/x")]
    [InlineData("s3:///key")]
    [InlineData("s3://bucket!/key")]
    [InlineData("gs://bucket/key")]
    public void Other_references_are_not_s3_locations(string text) => Assert.Null(S3Location.TryParse(text));

    [Fact]
    public void An_invalid_bucket_name_is_a_format_error() =>
        Assert.Throws<FormatException>(() => RemoteTarget.SourceFor("s3://x/model.pkl", null, Settings()));

    [Fact]
    public void A_bucket_scans_each_object_with_its_uri_and_etag()
    {
        byte[] zip = ArchiveBuilder.Zip(("inner/data.pkl", PickleBuilder.Gadget("os", "system", "id")));
        Dictionary<string, string> eTags = _moto.Put("scan-each", ("models/model.safetensors", SafeTensors()),
            ("models/evil.pkl", PickleBuilder.Gadget("os", "system", "id")), ("models/bundle.zip", zip), ("other/skip.pkl", PickleBuilder.Gadget("os", "system", "id")));

        var (results, events) = ScanAll(Source("s3://scan-each/models/", Settings()));

        Assert.Empty(events);
        Assert.Equal(new[] { "s3://scan-each/models/bundle.zip", "s3://scan-each/models/evil.pkl", "s3://scan-each/models/model.safetensors" }, results.Select(r => r.Path));
        Assert.True(results[0].Has("MA1001", Severity.Critical), results[0].Describe());
        Assert.Contains(results[0].Findings, f => f.Member == "inner/data.pkl");
        Assert.True(results[1].Has("MA1001", Severity.Critical), results[1].Describe());
        Assert.Equal((ScanOutcome.Clean, "SafeTensors"), (results[2].Outcome, results[2].Format));
        Assert.Equal(eTags["models/model.safetensors"], results[2].ETag);
        Assert.Matches("^[0-9a-f]{32}$", results[2].ETag!);
        Assert.NotNull(results[2].Sha256);
    }

    [Fact]
    public void A_key_named_outright_is_that_object_and_not_its_namesakes()
    {
        _moto.Put("one-key", ("m/a.pkl", PickleBuilder.Gadget("os", "system", "id")), ("m/a.pkl.bak", SafeTensors()), ("m/a.pklx", SafeTensors()));

        var (results, events) = ScanAll(Source("s3://one-key/m/a.pkl", Settings()));

        Assert.Empty(events);
        Assert.Equal("s3://one-key/m/a.pkl", Assert.Single(results).Path);
    }

    [Fact]
    public void A_prefix_of_more_than_a_thousand_objects_is_listed_page_by_page_in_key_order()
    {
        const int count = 1003;
        var objects = Enumerable.Range(0, count).Select(i => ($"many/f{i:D4}.json", Encoding.UTF8.GetBytes("{}"))).ToList();
        objects.Add(("many/zz/evil.pkl", PickleBuilder.Gadget("os", "system", "id")));
        objects.Add(("manyother/x.json", Encoding.UTF8.GetBytes("{}")));
        _moto.Put("paging", objects.ToArray());
        S3Source source = Source("s3://paging/many/", Settings());

        var events = new List<SourceEvent>();
        List<ScanItem> items = source.Enumerate(new ScanOptions(), events.Add).ToList();
        S3Source pickles = Source("s3://paging/many", Settings());
        var (results, _) = ScanAll(pickles, new ScanOptions { Include = new[] { "*.pkl" } });

        Assert.Empty(events);
        Assert.Equal(2, source.ListRequests);
        Assert.Equal(count + 1, items.Count);
        Assert.Equal(items.Select(i => i.Path).Order(StringComparer.Ordinal), items.Select(i => i.Path));
        Assert.Equal("s3://paging/many/zz/evil.pkl", items[^1].Path);
        ModelScanResult evil = Assert.Single(results);
        Assert.True(evil.Has("MA1001", Severity.Critical), evil.Describe());
    }

    [Fact]
    public void A_large_object_rejected_by_its_safetensors_header_is_read_by_ranges_not_downloaded()
    {
        const int size = 64 << 20;
        byte[] big = new byte[size];
        BinaryPrimitives.WriteUInt64LittleEndian(big, 1UL << 40); // a header length far past the object's end
        Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",").CopyTo(big, 8);
        _moto.Put("big-header", ("big.safetensors", big));
        S3Source source = Source("s3://big-header", Settings());

        var (results, _) = ScanAll(source, new ScanOptions { SkipHash = true });

        ModelScanResult result = Assert.Single(results);
        Assert.True(result.Has("MA6010", Severity.Warning), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
        Assert.True(source.BytesReceived > 0 && source.BytesReceived < size / 16, $"{source.BytesReceived:N0} of {size:N0} bytes were transferred");
    }

    [Fact]
    public void An_object_that_needs_more_than_the_download_cap_is_inconclusive_not_clean_or_failed()
    {
        _moto.Put("capped", ("w.safetensors", SafeTensors(8 << 20)), ("small.safetensors", SafeTensors()));
        S3Source source = Source("s3://capped", Settings(maxDownload: 2 << 20));

        var (results, _) = ScanAll(source);

        ModelScanResult capped = results.Single(r => r.Path.EndsWith("w.safetensors", StringComparison.Ordinal));
        Assert.Equal(ScanOutcome.Inconclusive, capped.Outcome);
        Assert.True(capped.Has("MA9002"), capped.Describe());
        Assert.Contains("-MaxDownloadSize", capped.Findings.Single(f => f.RuleId == "MA9002").Message, StringComparison.Ordinal);
        Assert.Empty(capped.Errors);
        Assert.True(source.BytesReceived <= (2 << 20) + SafeTensors().Length, $"{source.BytesReceived:N0} bytes transferred");
        Assert.Equal(ScanOutcome.Clean, results.Single(r => r.Path.EndsWith("small.safetensors", StringComparison.Ordinal)).Outcome);
    }

    [Fact]
    public void An_object_replaced_after_listing_is_that_objects_error_and_the_scan_goes_on()
    {
        _moto.Put("replaced", ("a.safetensors", SafeTensors()), ("b.safetensors", SafeTensors()));
        var engine = new ScanEngine(new ScanOptions());
        List<ScanItem> items = Source("s3://replaced", Settings()).Enumerate(engine.Options, _ => { }).ToList();
        using (var client = _moto.Client())
        {
            MotoServer.PutObject(client, "replaced", "a.safetensors", SafeTensors(32));
        }

        List<ModelScanResult> results = items.Select(i => engine.Scan(i, CancellationToken.None)).ToList();

        Assert.Equal(ScanOutcome.Error, results[0].Outcome);
        Assert.Contains("changed after it was listed", string.Join(";", results[0].Errors), StringComparison.Ordinal);
        Assert.Equal(ScanOutcome.Clean, results[1].Outcome);
    }

    [Fact]
    public void A_missing_bucket_is_a_not_found_listing_error()
    {
        var (results, events) = ScanAll(Source("s3://no-such-bucket/models/", Settings()));

        Assert.Empty(results);
        SourceEvent failure = Assert.Single(events);
        Assert.Equal(SourceEventKind.RemoteNotFound, failure.Kind);
        Assert.Contains("NoSuchBucket", failure.Message, StringComparison.Ordinal);
        Assert.Equal("s3://no-such-bucket/models/", failure.Path);
    }

    [Fact]
    public void A_missing_key_is_a_not_found_error()
    {
        _moto.Put("missing-key", ("present.pkl", PickleBuilder.Gadget("os", "system", "id")));

        var (results, events) = ScanAll(Source("s3://missing-key/absent.pkl", Settings()));

        Assert.Empty(results);
        SourceEvent failure = Assert.Single(events);
        Assert.Equal(SourceEventKind.RemoteNotFound, failure.Kind);
        Assert.Contains("NoSuchKey", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Access_denied_is_an_error_with_its_kind_and_never_shows_a_key()
    {
        // Auth goes on after the setup's eight unsigned actions; from then on moto checks keys and IAM policies.
        using var moto = new MotoServer(authAfterActions: 8);
        string lister = Keys(moto, "lister", "s3:ListBucket");
        string nobody = Keys(moto, "nobody", policy: null);
        moto.Put("private", ("evil.pkl", PickleBuilder.Gadget("os", "system", "id")), ("model.safetensors", SafeTensors()));
        var (listerId, listerSecret) = Split(lister);
        var (nobodyId, nobodySecret) = Split(nobody);

        var (none, denied) = ScanAll(Source("s3://private", Settings(moto.Endpoint, nobodyId, nobodySecret)));
        var (unreadable, listed) = ScanAll(Source("s3://private", Settings(moto.Endpoint, listerId, listerSecret)));
        var (_, badSecret) = ScanAll(Source("s3://private", Settings(moto.Endpoint, nobodyId, SecretKey)));

        Assert.Empty(none);
        SourceEvent failure = Assert.Single(denied);
        Assert.Equal(SourceEventKind.RemoteAccessDenied, failure.Kind);
        Assert.Contains("403 AccessDenied", failure.Message, StringComparison.Ordinal);

        // Listing allowed, reading not: each object is that object's error, and every object is still reported.
        Assert.Empty(listed);
        Assert.Equal(2, unreadable.Count);
        Assert.All(unreadable, r => Assert.Equal(ScanOutcome.Error, r.Outcome));
        Assert.All(unreadable, r => Assert.Contains("access denied", string.Join(";", r.Errors), StringComparison.Ordinal));

        Assert.Equal(SourceEventKind.RemoteAccessDenied, Assert.Single(badSecret).Kind);
        string output = Everything(none, denied) + Everything(unreadable, listed) + Everything(new List<ModelScanResult>(), badSecret);
        foreach (string secret in new[] { nobodySecret, listerSecret, SecretKey, nobodyId, listerId })
        {
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_secret_key_never_appears_in_results_errors_or_listing_events()
    {
        _moto.Put("secrets", ("evil.pkl", PickleBuilder.Gadget("os", "system", "id")), ("model.safetensors", SafeTensors()));
        var all = new List<(List<ModelScanResult>, List<SourceEvent>)>
        {
            ScanAll(Source("s3://secrets", Settings())),
            ScanAll(Source("s3://secrets/absent.bin", Settings())),
            ScanAll(Source("s3://not-a-bucket-here", Settings())),
            ScanAll(Source("s3://secrets", Settings(maxDownload: 8))),
        };

        string output = string.Join("\n", all.Select(a => Everything(a.Item1, a.Item2)));
        Assert.Contains("MA1001", output, StringComparison.Ordinal);
        Assert.Contains("NoSuchBucket", output, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, output, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey[..12], output, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, new S3Settings { Credential = new NetworkCredential(AccessKey, SecretKey) }.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_that_does_not_answer_is_a_timeout_error()
    {
        // A listener that accepts connections and never answers: every try times out (the SDK retries twice).
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(backlog: 16);
        try
        {
            var endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");

            var (results, events) = ScanAll(Source("s3://silent-bucket/", Settings(endpoint, timeout: TimeSpan.FromMilliseconds(500))));

            Assert.Empty(results);
            SourceEvent failure = Assert.Single(events);
            Assert.Equal(SourceEventKind.Unreadable, failure.Kind);
            Assert.Contains("timeout", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public void A_truncated_body_is_that_objects_error_and_the_scan_goes_on()
    {
        using var store = new TruncatingS3();
        store.Add("a.safetensors", SafeTensors(4096));
        store.Add("b.safetensors", SafeTensors());
        store.Truncate.Add("a.safetensors");

        var (results, events) = ScanAll(Source("s3://cut-bucket", Settings(store.Endpoint)));

        Assert.Empty(events);
        Assert.Equal(2, results.Count);
        Assert.Equal(ScanOutcome.Error, results[0].Outcome);
        Assert.Equal("s3://cut-bucket/a.safetensors: the body ended before the length the store announced (truncated download).", Assert.Single(results[0].Errors));
        Assert.Equal(ScanOutcome.Clean, results[1].Outcome);
    }

    [Fact]
    public void Throttling_is_retried_with_backoff()
    {
        using var store = new TruncatingS3 { FailNext = 2 };
        store.Add("model.safetensors", SafeTensors());

        var (results, events) = ScanAll(Source("s3://slow-bucket", Settings(store.Endpoint)));

        Assert.Empty(events);
        Assert.Equal(ScanOutcome.Clean, Assert.Single(results).Outcome);
        Assert.True(store.Requests >= 4, $"{store.Requests} requests"); // two 503s, the listing, the read
    }

    [Fact]
    public void Ctrl_C_stops_a_listing_that_is_waiting_on_the_store()
    {
        // The store never answers and the request timeout is long: only the stop token can end the wait.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(backlog: 16);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        try
        {
            var settings = new S3Settings
            {
                EndpointUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"),
                Credential = new NetworkCredential(AccessKey, SecretKey),
                Timeout = TimeSpan.FromMinutes(10),
                CancellationToken = stop.Token,
            };

            Assert.ThrowsAny<OperationCanceledException>(() => Source("s3://silent-bucket/", settings).Enumerate(new ScanOptions(), _ => { }).ToList());
        }
        finally
        {
            silent.Stop();
        }
    }

    // Creates an IAM user with an access key (and an inline policy allowing the actions given); returns "id secret".
    private static string Keys(MotoServer moto, string user, string? policy)
    {
        moto.Iam(("Action", "CreateUser"), ("UserName", user));
        if (policy is not null)
        {
            string document = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"" + policy + "\",\"Resource\":\"*\"}]}";
            moto.Iam(("Action", "PutUserPolicy"), ("UserName", user), ("PolicyName", "only"), ("PolicyDocument", document));
        }

        string xml = moto.Iam(("Action", "CreateAccessKey"), ("UserName", user));
        return Regex.Match(xml, "<AccessKeyId>(.*?)</AccessKeyId>").Groups[1].Value + " " + Regex.Match(xml, "<SecretAccessKey>(.*?)</SecretAccessKey>").Groups[1].Value;
    }

    private static (string Id, string Secret) Split(string keys) => (keys[..keys.IndexOf(' ', StringComparison.Ordinal)], keys[(keys.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
}
