using System.Net.Http.Headers;
using System.Text;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;
using ModelAudit.Engine.Sources.Mlflow;
using ModelAudit.Engine.Tests.Remote;

namespace ModelAudit.Engine.Tests;

/// <summary>MLflow registered models and runs through the tracking server's REST API, against a loopback server
/// (<see cref="FakeMlflow"/>).</summary>
public sealed class MlflowSourceTests : IDisposable
{
    private const string Token = "mlflow-TestTokenThatMustNeverBeShown0123";
    private const string Run = "0a1b2c3d4e5f";
    private readonly FakeMlflow _mlflow = new();

    public void Dispose() => _mlflow.Dispose();

    private MlflowSource Source(string uri, AuthenticationHeaderValue? authorization = null) =>
        new(MlflowReference.TryParse(uri)!, new Uri(_mlflow.Endpoint), authorization);

    private (List<ModelScanResult> Results, List<SourceEvent> Events) ScanAll(string uri, ScanOptions? options = null, AuthenticationHeaderValue? authorization = null) =>
        RemoteScan.All(Source(uri, authorization), options);

    // A run whose model folder holds a clean SafeTensors file, MLflow's metadata and a malicious pickle.
    private void AddModelRun(string runId, bool proxied)
    {
        _mlflow.AddRun(runId, proxied);
        _mlflow.AddArtifact(runId, "model/MLmodel", Encoding.UTF8.GetBytes("artifact_path: model\nflavors:\n  python_function: {}\n"));
        _mlflow.AddArtifact(runId, "model/model.safetensors", RemoteScan.SafeTensors());
        _mlflow.AddArtifact(runId, "model/data/model.pkl", RemoteScan.EvilPickle());
        _mlflow.AddArtifact(runId, "metrics.json", Encoding.UTF8.GetBytes("{}"));
    }

    [Theory]
    [InlineData("models:/Fraud/3", false, "Fraud", "3", null, "")]
    [InlineData("models:/Fraud/Production", false, "Fraud", "Production", null, "")]
    [InlineData("models:/Fraud/latest/data/model.pkl", false, "Fraud", "latest", null, "data/model.pkl")]
    [InlineData("models:/Fraud@champion", false, "Fraud", null, "champion", "")]
    [InlineData("models:/My%20Model@prod/MLmodel", false, "My Model", null, "prod", "MLmodel")]
    [InlineData("runs:/0a1b2c/model", true, "0a1b2c", null, null, "model")]
    [InlineData("runs:/0a1b2c", true, "0a1b2c", null, null, "")]
    public void References_parse(string text, bool isRun, string name, string? selector, string? alias, string path) =>
        Assert.Equal(new MlflowReference(isRun, name, selector, alias, path), MlflowReference.TryParse(text));

    [Theory]
    [InlineData("models:/Fraud")]
    [InlineData("models:/Fraud@")]
    [InlineData("models:/Fraud/1/../../x")]
    [InlineData("runs:/")]
    [InlineData("runs:/abc/../other")]
    [InlineData("hf://org/model")]
    public void Other_text_is_not_a_reference(string text) => Assert.Null(MlflowReference.TryParse(text));

    [Fact]
    public void A_model_version_scans_each_file_of_its_run_folder_under_its_models_uri()
    {
        AddModelRun(Run, proxied: false);
        _mlflow.AddModelVersion("Fraud", 1, "None", Array.Empty<string>(), Run, $"runs:/{Run}/model");

        var (results, events) = ScanAll("models:/Fraud/1");

        Assert.Empty(events);
        Assert.Equal(new[] { "models:/Fraud/1/MLmodel", "models:/Fraud/1/data/model.pkl", "models:/Fraud/1/model.safetensors" }, results.Select(r => r.Path));
        Assert.True(results[1].Has("MA1001", Severity.Critical), results[1].Describe());
        Assert.Equal((ScanOutcome.Clean, "SafeTensors"), (results[2].Outcome, results[2].Format));
        // Not proxied: the server reads its own store and serves the bytes through /get-artifact.
        Assert.Contains(_mlflow.Requests, r => r.StartsWith("GET /get-artifact?path=model%2Fdata%2Fmodel.pkl", StringComparison.Ordinal));
    }

    [Fact]
    public void A_stage_alias_or_latest_resolves_to_one_version_and_results_name_it()
    {
        AddModelRun("run1", proxied: false);
        AddModelRun("run2", proxied: false);
        _mlflow.AddArtifact("run2", "model/extra.json", Encoding.UTF8.GetBytes("{}"));
        AddModelRun("run3", proxied: false);
        _mlflow.AddModelVersion("Fraud", 1, "Production", Array.Empty<string>(), "run1", "runs:/run1/model");
        _mlflow.AddModelVersion("Fraud", 2, "Production", new[] { "champion" }, "run2", "runs:/run2/model");
        _mlflow.AddModelVersion("Fraud", 3, "Staging", Array.Empty<string>(), "run3", "runs:/run3/model");

        Assert.Equal(4, ScanAll("models:/Fraud/production").Results.Count(r => r.Path.StartsWith("models:/Fraud/2/", StringComparison.Ordinal)));
        Assert.Contains(_mlflow.Requests, r => r.StartsWith("POST /api/2.0/mlflow/registered-models/get-latest-versions", StringComparison.Ordinal));
        Assert.Equal(4, ScanAll("models:/Fraud@champion").Results.Count(r => r.Path.StartsWith("models:/Fraud/2/", StringComparison.Ordinal)));
        Assert.Equal(new[] { "models:/Fraud/3/MLmodel", "models:/Fraud/3/data/model.pkl", "models:/Fraud/3/model.safetensors" },
            ScanAll("models:/Fraud/latest").Results.Select(r => r.Path));
        Assert.Equal("models:/Fraud/3/data/model.pkl", Assert.Single(ScanAll("models:/Fraud/Staging/data/model.pkl").Results).Path);
    }

    [Fact]
    public void Run_listings_are_followed_page_by_page_into_sub_folders()
    {
        _mlflow.PageSize = 2;
        AddModelRun(Run, proxied: false);
        for (int i = 0; i < 5; i++)
        {
            _mlflow.AddArtifact(Run, $"model/extra/f{i}.json", Encoding.UTF8.GetBytes("{}"));
        }

        var (results, events) = ScanAll($"runs:/{Run}/model");

        Assert.Empty(events);
        Assert.Equal(8, results.Count);
        Assert.Contains($"runs:/{Run}/model/data/model.pkl", results.Select(r => r.Path));
        Assert.Contains(_mlflow.Requests, r => r.Contains("page_token=4", StringComparison.Ordinal));
        Assert.DoesNotContain(results, r => r.Path.EndsWith("metrics.json", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_file_is_found_in_its_folders_listing()
    {
        AddModelRun(Run, proxied: false);

        ModelScanResult result = Assert.Single(ScanAll($"runs:/{Run}/model/data/model.pkl").Results);

        Assert.Equal($"runs:/{Run}/model/data/model.pkl", result.Path);
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Proxied_artifacts_are_read_through_mlflow_artifacts_for_runs_and_for_models_without_a_run()
    {
        AddModelRun(Run, proxied: true);
        _mlflow.AddModelVersion("Fraud", 1, "None", Array.Empty<string>(), Run, _mlflow.RootUri(Run) + "/model");
        _mlflow.AddModelVersion("Loose", 1, "None", Array.Empty<string>(), null, _mlflow.RootUri(Run) + "/model");

        var (viaRun, runEvents) = ScanAll("models:/Fraud/1");
        var (proxied, proxiedEvents) = ScanAll("models:/Loose/1");

        Assert.Empty(runEvents.Concat(proxiedEvents));
        Assert.Equal(viaRun.Select(r => (r.Path.Replace("Fraud", "Loose", StringComparison.Ordinal), r.Outcome, r.Sha256)), proxied.Select(r => (r.Path, r.Outcome, r.Sha256)));
        Assert.Equal(3, proxied.Count);
        Assert.Contains(proxied, r => r.Has("MA1001", Severity.Critical));
        Assert.Contains(_mlflow.Requests, r => r.StartsWith($"GET /api/2.0/mlflow-artifacts/artifacts?path=0%2F{Run}%2Fartifacts%2Fmodel", StringComparison.Ordinal));
        Assert.Contains(_mlflow.Requests, r => r.StartsWith($"GET /api/2.0/mlflow-artifacts/artifacts/0/{Run}/artifacts/model/data/model.pkl", StringComparison.Ordinal));
        Assert.DoesNotContain(_mlflow.Requests, r => r.Contains("/get-artifact", StringComparison.Ordinal));
    }

    [Fact]
    public void A_large_artifact_rejected_by_its_header_is_read_by_ranges_not_downloaded()
    {
        const int size = 64 << 20;
        _mlflow.AddRun(Run, proxied: true);
        _mlflow.AddArtifact(Run, "model/big.safetensors", RemoteScan.BigBadSafeTensors(size));

        var (results, _) = ScanAll($"runs:/{Run}/model", new ScanOptions { SkipHash = true });

        ModelScanResult result = Assert.Single(results);
        Assert.True(result.Has("MA6010", Severity.Warning), result.Describe());
        Assert.True(_mlflow.BytesServed < size / 16, $"{_mlflow.BytesServed:N0} of {size:N0} bytes were transferred");
    }

    [Fact]
    public void The_token_goes_to_the_tracking_server_only_never_across_a_redirect_and_never_into_output()
    {
        _mlflow.RequiredAuthorization = "Bearer " + Token;
        _mlflow.RedirectDownloads = true;
        AddModelRun(Run, proxied: false);
        _mlflow.AddModelVersion("Fraud", 1, "None", Array.Empty<string>(), Run, $"runs:/{Run}/model");

        var (results, events) = ScanAll("models:/Fraud/1", authorization: MlflowSource.AuthorizationFromEnvironment(Token));

        Assert.Empty(events);
        Assert.Contains(results, r => r.Has("MA1001", Severity.Critical));
        Assert.All(_mlflow.Requests, r => Assert.EndsWith("auth=yes", r, StringComparison.Ordinal));
        Assert.Empty(_mlflow.CdnAuthorizations);
        Assert.DoesNotContain(Token, RemoteScan.Output(results, events), StringComparison.Ordinal);
    }

    [Fact]
    public void Basic_authentication_is_sent_as_mlflow_clients_send_it()
    {
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cret-Never-Shown")));
        _mlflow.RequiredAuthorization = "Basic " + basic.Parameter;
        AddModelRun(Run, proxied: false);

        var (results, events) = ScanAll($"runs:/{Run}/model", authorization: basic);

        Assert.Empty(events);
        Assert.Equal(3, results.Count);
        Assert.DoesNotContain("s3cret", RemoteScan.Output(results, events), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "401")]
    [InlineData("wrong-token", "403")]
    public void A_missing_or_rejected_token_is_an_error_that_does_not_show_it(string? token, string status)
    {
        _mlflow.RequiredAuthorization = "Bearer " + Token;
        AddModelRun(Run, proxied: false);
        _mlflow.AddModelVersion("Fraud", 1, "None", Array.Empty<string>(), Run, $"runs:/{Run}/model");

        var (results, events) = ScanAll("models:/Fraud/1", authorization: token is null ? null : new AuthenticationHeaderValue("Bearer", token));

        Assert.Empty(results);
        SourceEvent failure = Assert.Single(events);
        Assert.Equal((SourceEventKind.RemoteAccessDenied, "models:/Fraud/1"), (failure.Kind, failure.Path));
        Assert.Contains(status, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-token", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("models:/Nothing/1", "404")]
    [InlineData("models:/Fraud/7", "404")]
    [InlineData("models:/Fraud/Archived", "no version in stage 'Archived'")]
    [InlineData("models:/Fraud@nobody", "404")]
    [InlineData("runs:/ffff/model", "404")]
    [InlineData("runs:/0a1b2c3d4e5f/nothing", "has no artifacts")]
    public void What_is_not_there_is_a_not_found_error(string uri, string expected)
    {
        AddModelRun(Run, proxied: false);
        _mlflow.AddModelVersion("Fraud", 1, "Production", Array.Empty<string>(), Run, $"runs:/{Run}/model");

        var (results, events) = ScanAll(uri);

        Assert.Empty(results);
        SourceEvent failure = Assert.Single(events);
        Assert.Equal(SourceEventKind.RemoteNotFound, failure.Kind);
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answer_that_is_not_json_is_an_error()
    {
        AddModelRun(Run, proxied: false);
        _mlflow.BreakJson = true;

        var (results, events) = ScanAll($"runs:/{Run}/model");

        Assert.Empty(results);
        Assert.Contains("did not answer with JSON", Assert.Single(events).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_listed_name_that_leaves_its_folder_is_an_error_not_a_path()
    {
        _mlflow.AddRun(Run, proxied: false);
        _mlflow.AddArtifact(Run, "model/../../etc/evil.pkl", RemoteScan.EvilPickle());

        var (results, events) = ScanAll($"runs:/{Run}/model");

        Assert.Empty(results);
        Assert.Contains("not a name inside", Assert.Single(events).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Artifacts_the_server_does_not_serve_are_an_error_that_names_only_the_store()
    {
        _mlflow.AddModelVersion("Fraud", 1, "None", Array.Empty<string>(), null, "s3://user:secret-key@bucket/models/fraud");

        var (results, events) = ScanAll("models:/Fraud/1");

        Assert.Empty(results);
        string message = Assert.Single(events).Message;
        Assert.Contains("scan that location directly", message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-key", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forbidden_download_is_that_files_error_and_the_scan_goes_on()
    {
        AddModelRun(Run, proxied: true);
        _mlflow.StatusByPath[$"/api/2.0/mlflow-artifacts/artifacts/0/{Run}/artifacts/model/data/model.pkl"] = 403;

        var (results, _) = ScanAll($"runs:/{Run}/model");

        Assert.Equal(3, results.Count);
        Assert.Equal(ScanOutcome.Error, results.Single(r => r.Path.EndsWith("model.pkl", StringComparison.Ordinal)).Outcome);
        Assert.Equal(ScanOutcome.Clean, results.Single(r => r.Path.EndsWith(".safetensors", StringComparison.Ordinal)).Outcome);
    }

    [Fact]
    public void Without_a_tracking_server_mlflow_uris_are_not_supported()
    {
        // MLFLOW_TRACKING_URI is process-wide; the xunit suite never sets it (the Pester tests that do run in another process).
        Assert.Null(Environment.GetEnvironmentVariable("MLFLOW_TRACKING_URI"));
        var ex = Assert.Throws<NotSupportedException>(() => RemoteTarget.SourceFor("models:/Fraud/1", null));
        Assert.Contains("MLFLOW_TRACKING_URI", ex.Message, StringComparison.Ordinal);
    }
}
