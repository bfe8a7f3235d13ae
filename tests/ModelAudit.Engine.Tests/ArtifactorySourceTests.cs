using System.Text;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;
using ModelAudit.Engine.Sources.Artifactory;
using ModelAudit.Engine.Tests.Remote;

namespace ModelAudit.Engine.Tests;

/// <summary>JFrog Artifactory files and folders through the storage API, against a loopback Artifactory
/// (<see cref="FakeArtifactory"/>).</summary>
public sealed class ArtifactorySourceTests : IDisposable
{
    private const string Repo = "ml-local";
    private const string Token = "jfrog-TestTokenThatMustNeverBeShown0123";
    private readonly FakeArtifactory _artifactory = new();

    public void Dispose() => _artifactory.Dispose();

    private string Url(string path) => $"{_artifactory.BaseUrl}/{Repo}" + (path.Length == 0 ? string.Empty : "/" + path);

    private (List<ModelScanResult> Results, List<SourceEvent> Events) ScanAll(string path, ScanOptions? options = null, string? token = null) =>
        RemoteScan.All(new ArtifactorySource(ArtifactoryLocation.TryParse(Url(path))!, token), options);

    [Theory]
    [InlineData("https://acme.jfrog.io/artifactory/ml-local/fraud/v1/model.pkl", "https://acme.jfrog.io/artifactory/", "ml-local", "fraud/v1/model.pkl")]
    [InlineData("https://repo.example.com/tools/artifactory/ml-local", "https://repo.example.com/tools/artifactory/", "ml-local", "")]
    [InlineData("http://127.0.0.1:8081/artifactory/ml-local/a%20b/c.bin", "http://127.0.0.1:8081/artifactory/", "ml-local", "a b/c.bin")]
    public void Urls_parse(string text, string baseUrl, string repo, string path)
    {
        ArtifactoryLocation location = Assert.IsType<ArtifactoryLocation>(ArtifactoryLocation.TryParse(text));
        Assert.Equal((baseUrl, repo, path), (location.Base.AbsoluteUri, location.Repository, location.Path));
    }

    [Theory]
    [InlineData("https://acme.jfrog.io/artifactory")]
    [InlineData("https://acme.jfrog.io/artifactory/api/storage/ml-local")]
    [InlineData("https://acme.jfrog.io/artifactory/ml-local/a%5Cb")]
    [InlineData("https://acme.jfrog.io/ml-local/model.pkl")]
    [InlineData("https://user:pw@acme.jfrog.io/artifactory/ml-local/model.pkl")]
    [InlineData("ftp://acme.jfrog.io/artifactory/ml-local/model.pkl")]
    public void Other_urls_are_not_repository_paths(string text) => Assert.Null(ArtifactoryLocation.TryParse(text));

    [Fact]
    public void A_file_that_needs_more_than_the_download_cap_is_inconclusive_not_clean()
    {
        const int cap = 2 << 20;
        _artifactory.AddFile(Repo, "big/w.safetensors", RemoteScan.SafeTensors(8 << 20));

        var (results, _) = RemoteScan.All(new ArtifactorySource(ArtifactoryLocation.TryParse(Url("big"))!, null, new RemoteReadSettings { MaxDownloadSize = cap }));

        ModelScanResult capped = Assert.Single(results);
        Assert.Equal(ScanOutcome.Inconclusive, capped.Outcome);
        Assert.Contains("-MaxDownloadSize", capped.Findings.Single(f => f.RuleId == "MA9002").Message, StringComparison.Ordinal);
        Assert.Empty(capped.Errors);
        Assert.True(_artifactory.BytesServed <= cap, $"{_artifactory.BytesServed:N0} bytes transferred");
    }

    [Fact]
    public void A_folder_is_listed_deep_and_each_file_scanned_under_its_url()
    {
        _artifactory.AddFile(Repo, "fraud/v1/model.safetensors", RemoteScan.SafeTensors());
        _artifactory.AddFile(Repo, "fraud/v1/sub/evil.pkl", RemoteScan.EvilPickle());
        _artifactory.AddFile(Repo, "fraud/v1/config.json", Encoding.UTF8.GetBytes("{\"model_type\":\"bert\"}"));
        _artifactory.AddFile(Repo, "fraud/v2/other.json", Encoding.UTF8.GetBytes("{}"));

        var (results, events) = ScanAll("fraud/v1");

        Assert.Empty(events);
        Assert.Equal(new[] { Url("fraud/v1/config.json"), Url("fraud/v1/model.safetensors"), Url("fraud/v1/sub/evil.pkl") }, results.Select(r => r.Path));
        Assert.Equal((ScanOutcome.Clean, "SafeTensors"), (results[1].Outcome, results[1].Format));
        Assert.True(results[2].Has("MA1001", Severity.Critical), results[2].Describe());
        Assert.DoesNotContain(results.SelectMany(r => r.Findings), f => f.RuleId is "MA6340" or "MA6341");
        Assert.Contains(_artifactory.Requests, r => r.Contains($"/api/storage/{Repo}/fraud/v1?list&deep=1", StringComparison.Ordinal));
    }

    [Fact]
    public void A_whole_repository_and_a_single_file_are_scanned_too()
    {
        _artifactory.AddFile(Repo, "a/model.safetensors", RemoteScan.SafeTensors());
        _artifactory.AddFile(Repo, "b/c/evil.pkl", RemoteScan.EvilPickle());

        Assert.Equal(2, ScanAll(string.Empty).Results.Count);
        ModelScanResult file = Assert.Single(ScanAll("b/c/evil.pkl").Results);
        Assert.Equal(Url("b/c/evil.pkl"), file.Path);
        Assert.True(file.Has("MA1001", Severity.Critical), file.Describe());
        Assert.False(file.Has("MA6340"));
    }

    [Theory]
    [InlineData("fraud")]
    [InlineData("fraud/model.safetensors")]
    public void Bytes_that_differ_from_the_published_sha256_are_critical(string path)
    {
        string published = new('a', 64);
        _artifactory.AddFile(Repo, "fraud/model.safetensors", RemoteScan.SafeTensors(), publishedSha256: published);

        ModelScanResult result = Assert.Single(ScanAll(path).Results);

        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA6340");
        Assert.Equal((Severity.Critical, published), (finding.Severity, finding.Evidence));
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void Without_hashing_the_published_sha256_is_reported_as_not_verified()
    {
        _artifactory.AddFile(Repo, "fraud/model.safetensors", RemoteScan.SafeTensors(), publishedSha256: new string('b', 64));

        ModelScanResult result = Assert.Single(ScanAll("fraud", new ScanOptions { SkipHash = true }).Results);

        Assert.True(result.Has("MA6341", Severity.Info), result.Describe());
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void A_large_file_rejected_by_its_header_is_read_by_ranges_not_downloaded()
    {
        const int size = 64 << 20;
        _artifactory.AddFile(Repo, "big/big.safetensors", RemoteScan.BigBadSafeTensors(size));

        ModelScanResult result = Assert.Single(ScanAll("big", new ScanOptions { SkipHash = true }).Results);

        Assert.True(result.Has("MA6010", Severity.Warning), result.Describe());
        Assert.True(_artifactory.BytesServed < size / 16, $"{_artifactory.BytesServed:N0} of {size:N0} bytes were transferred");
    }

    [Fact]
    public void The_token_goes_to_artifactory_only_never_across_a_redirect_and_never_into_output()
    {
        _artifactory.RequiredAuthorization = "Bearer " + Token;
        _artifactory.RedirectDownloads = true;
        _artifactory.AddFile(Repo, "m/evil.pkl", RemoteScan.EvilPickle());

        var (results, events) = ScanAll("m", token: Token);

        Assert.Empty(events);
        Assert.True(Assert.Single(results).Has("MA1001", Severity.Critical));
        Assert.All(_artifactory.Requests, r => Assert.EndsWith("auth=yes", r, StringComparison.Ordinal));
        Assert.Empty(_artifactory.CdnAuthorizations);
        Assert.DoesNotContain(Token, RemoteScan.Output(results, events), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "401")]
    [InlineData("wrong-token", "403")]
    public void A_missing_or_rejected_token_is_a_listing_error_that_does_not_show_it(string? token, string status)
    {
        _artifactory.RequiredAuthorization = "Bearer " + Token;
        _artifactory.AddFile(Repo, "m/evil.pkl", RemoteScan.EvilPickle());

        var (results, events) = ScanAll("m", token: token);

        Assert.Empty(results);
        SourceEvent failure = Assert.Single(events);
        Assert.Equal((SourceEventKind.RemoteAccessDenied, Url("m")), (failure.Kind, failure.Path));
        Assert.Contains(status, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-token", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_path_and_an_answer_that_is_not_json_are_listing_errors()
    {
        _artifactory.AddFile(Repo, "m/a.json", Encoding.UTF8.GetBytes("{}"));

        SourceEvent missing = Assert.Single(ScanAll("nothing").Events);
        Assert.Equal(SourceEventKind.RemoteNotFound, missing.Kind);
        Assert.Contains("404", missing.Message, StringComparison.Ordinal);
        _artifactory.BreakJson = true;
        var (results, events) = ScanAll("m");
        Assert.Empty(results);
        Assert.Contains("did not answer with JSON", Assert.Single(events).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_listed_path_that_leaves_the_folder_is_an_error_not_a_file()
    {
        _artifactory.AddFile(Repo, "m/../../etc/evil.pkl", RemoteScan.EvilPickle());

        var (results, events) = ScanAll("m");

        Assert.Empty(results);
        Assert.Contains("not a path inside the folder", Assert.Single(events).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forbidden_download_is_that_files_error_and_the_scan_goes_on()
    {
        _artifactory.AddFile(Repo, "m/a.safetensors", RemoteScan.SafeTensors());
        _artifactory.AddFile(Repo, "m/b.safetensors", RemoteScan.SafeTensors());
        _artifactory.StatusByPath[$"/artifactory/{Repo}/m/a.safetensors"] = 403;

        var (results, _) = ScanAll("m");

        Assert.Equal((ScanOutcome.Error, ScanOutcome.Clean), (results[0].Outcome, results[1].Outcome));
    }

    [Fact]
    public void Artifactory_urls_get_an_artifactory_source_and_other_web_urls_stay_unsupported()
    {
        Assert.IsType<ArtifactorySource>(RemoteTarget.SourceFor("https://acme.jfrog.io/artifactory/ml-local/model.pkl", null));
        Assert.Throws<NotSupportedException>(() => RemoteTarget.SourceFor("https://example.com/models/model.pkl", null));
    }
}
