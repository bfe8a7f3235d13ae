using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Sources.Mlflow;

/// <summary>
/// A registered model version or a run's artifacts, through an MLflow tracking server's REST API. A model reference is
/// resolved to one version (<c>model-versions/get</c>, <c>registered-models/get-latest-versions</c> for a stage or
/// "latest", <c>registered-models/alias</c>), then to where its files are (<c>model-versions/get-download-uri</c>):
/// a <c>runs:/</c> URI or a folder of the run's artifacts is listed through <c>artifacts/list</c>, an
/// <c>mlflow-artifacts:</c> URI through the proxied artifact store. Results carry <c>models:/Name/Version/file</c>
/// (the version actually scanned, not the stage or alias asked for) or <c>runs:/RunId/path</c> as their paths.
/// </summary>
public sealed class MlflowSource : IScanSource
{
    // Folders nest a few levels in a model (model/, code/, artifacts/); this bound stops a listing that loops.
    private const int MaxDepth = 32;

    // A logged model has tens of files; a listing of more than this is not one, and is cut (reported).
    private const int MaxFiles = 100_000;

    private readonly MlflowReference _reference;
    private readonly Uri _tracking;
    private readonly RemoteHttp _http;

    public MlflowSource(MlflowReference reference, Uri tracking, AuthenticationHeaderValue? authorization, RemoteReadSettings? reads = null)
    {
        _reference = reference;
        // Relative API paths must resolve under a tracking server served below a path prefix (https://host/mlflow/).
        _tracking = tracking.AbsoluteUri.EndsWith('/') ? tracking : new Uri(tracking.AbsoluteUri + "/");
        _http = new RemoteHttp(_tracking, authorization, reads: reads);
    }

    /// <summary>The HTTP client of this source (bytes received, for progress and tests).</summary>
    public RemoteHttp Http => _http;

    /// <summary>The tracking server from MLFLOW_TRACKING_URI; only http(s) servers are read (not file stores or
    /// "databricks" profiles).</summary>
    public static Uri TrackingUriFromEnvironment()
    {
        string? text = Environment.GetEnvironmentVariable("MLFLOW_TRACKING_URI");
        return Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new NotSupportedException(string.IsNullOrWhiteSpace(text)
                ? "MLflow URIs are read from a tracking server: set MLFLOW_TRACKING_URI to its http(s) URL."
                : "MLFLOW_TRACKING_URI is not an http(s) URL; only tracking servers are read (not local stores or Databricks profiles).");
    }

    /// <summary>The credential MLflow's clients use: MLFLOW_TRACKING_TOKEN as a bearer token, else
    /// MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD as basic authentication; <paramref name="token"/>
    /// (from -Credential) comes first.</summary>
    public static AuthenticationHeaderValue? AuthorizationFromEnvironment(string? token)
    {
        token ??= NonEmpty(Environment.GetEnvironmentVariable("MLFLOW_TRACKING_TOKEN"));
        if (token is not null)
        {
            return new AuthenticationHeaderValue("Bearer", token);
        }

        string? user = NonEmpty(Environment.GetEnvironmentVariable("MLFLOW_TRACKING_USERNAME"));
        string? password = Environment.GetEnvironmentVariable("MLFLOW_TRACKING_PASSWORD");
        return user is null ? null : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
    }

    /// <inheritdoc />
    public IEnumerable<ScanItem> Enumerate(ScanOptions options, Action<SourceEvent> report)
    {
        string where = Describe();
        try
        {
            // Paths shown are relative to the run's root (runs:/id/model/MLmodel) or the model's folder (models:/Name/3/MLmodel).
            var (store, root, display) = _reference.IsRun
                ? (new RunArtifacts(_http, _tracking, _reference.Name), string.Empty, $"runs:/{_reference.Name}")
                : ResolveModel();
            List<RemoteObject> objects = Walk(store, MlflowPaths.Join(root, _reference.Path).TrimEnd('/'), root, display, report, where);
            return RemoteObject.Items(objects, options, _http);
        }
        // Any answer a listing cannot use is that URI's error, never an exception out of the scan (as for the Hub).
        catch (Exception ex) when (ex is IOException or JsonException or FormatException or InvalidOperationException)
        {
            report(new SourceEvent(where, RemoteFailure.KindOf(ex), ex.Message));
            return Array.Empty<ScanItem>();
        }
    }

    private string Describe() => _reference.IsRun
        ? $"runs:/{_reference.Name}/{_reference.Path}".TrimEnd('/')
        : $"models:/{_reference.Name}{(_reference.Alias is { } alias ? "@" + alias : "/" + _reference.Selector)}{(_reference.Path.Length > 0 ? "/" + _reference.Path : string.Empty)}";

    // The version a reference means, then the artifact store and folder its files are in.
    private (IMlflowArtifacts Store, string Root, string Display) ResolveModel()
    {
        JsonElement version = ResolveVersion(out JsonDocument holder);
        using (holder)
        {
            string number = RemoteJson.String(version, "version") ?? throw new RemoteException(null, $"the registry answered for '{_reference.Name}' without a version number.");
            string? runId = NonEmpty(RemoteJson.String(version, "run_id"));
            string display = $"models:/{_reference.Name}/{number}";

            Uri downloadUri = Api($"model-versions/get-download-uri?name={Uri.EscapeDataString(_reference.Name)}&version={Uri.EscapeDataString(number)}");
            string artifactUri;
            using (JsonDocument answer = RemoteJson.Get(_http, downloadUri))
            {
                artifactUri = RemoteJson.String(answer.RootElement, "artifact_uri")
                    ?? throw new RemoteException(null, $"{RemoteHttp.Display(downloadUri)} did not name an artifact_uri.");
            }

            if (MlflowReference.TryParse(artifactUri) is { IsRun: true } run)
            {
                return (new RunArtifacts(_http, _tracking, run.Name), run.Path, display);
            }

            if (runId is not null)
            {
                // The files are a folder of the run's artifacts (s3://…/<run>/artifacts/model): the server lists and serves them.
                var artifacts = new RunArtifacts(_http, _tracking, runId);
                string? root = artifacts.RootUri?.TrimEnd('/');
                if (root is not null && (artifactUri.TrimEnd('/') == root || artifactUri.StartsWith(root + "/", StringComparison.Ordinal)))
                {
                    return (artifacts, artifactUri.TrimEnd('/')[root.Length..].Trim('/'), display);
                }
            }

            if (MlflowPaths.ProxiedPath(artifactUri) is { } proxied)
            {
                return (new ProxiedArtifacts(_http, _tracking), proxied, display);
            }

            throw new RemoteException(null, $"{display} is stored at {Scheme(artifactUri)}, which the tracking server does not serve; scan that location directly.");
        }
    }

    private JsonElement ResolveVersion(out JsonDocument holder)
    {
        string name = Uri.EscapeDataString(_reference.Name);
        if (_reference.Alias is { } alias)
        {
            holder = RemoteJson.Get(_http, Api($"registered-models/alias?name={name}&alias={Uri.EscapeDataString(alias)}"));
            return ModelVersion(holder.RootElement);
        }

        if (_reference.IsVersion)
        {
            holder = RemoteJson.Get(_http, Api($"model-versions/get?name={name}&version={_reference.Selector}"));
            return ModelVersion(holder.RootElement);
        }

        // A stage (Production, Staging, …) or "latest" (the highest version in any stage), as MLflow's clients read it.
        bool latest = string.Equals(_reference.Selector, "latest", StringComparison.OrdinalIgnoreCase);
        string body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = _reference.Name,
            ["stages"] = latest ? Array.Empty<string>() : new[] { _reference.Selector! },
        });
        holder = RemoteJson.Post(_http, Api("registered-models/get-latest-versions"), body);
        JsonElement best = default;
        long bestNumber = -1;
        if (holder.RootElement.TryGetProperty("model_versions", out JsonElement versions) && versions.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement candidate in versions.EnumerateArray())
            {
                bool stageMatches = latest || string.Equals(RemoteJson.String(candidate, "current_stage"), _reference.Selector, StringComparison.OrdinalIgnoreCase);
                if (stageMatches && RemoteJson.Int64(candidate, "version") is { } number && number > bestNumber)
                {
                    (best, bestNumber) = (candidate, number);
                }
            }
        }

        return bestNumber >= 0
            ? best
            : throw new RemoteException(HttpStatusCode.NotFound, $"registered model '{_reference.Name}' has no version in stage '{_reference.Selector}'");
    }

    private static JsonElement ModelVersion(JsonElement root) =>
        root.TryGetProperty("model_version", out JsonElement version) && version.ValueKind == JsonValueKind.Object
            ? version
            : throw new RemoteException(null, "the registry answer has no model_version.");

    private List<RemoteObject> Walk(IMlflowArtifacts store, string start, string root, string display, Action<SourceEvent> report, string where)
    {
        var objects = new List<RemoteObject>();
        IReadOnlyList<MlflowArtifact> top = store.List(start);
        if (top.Count == 0 && start.Length > 0)
        {
            // The path may name a file: a file's listing is empty, so look for it in its folder's.
            int slash = start.LastIndexOf('/');
            MlflowArtifact? file = store.List(slash < 0 ? string.Empty : start[..slash]).FirstOrDefault(a => a.Path == start && !a.IsDir);
            if (file is not null)
            {
                objects.Add(ObjectFor(store, file, root, display));
                return objects;
            }
        }

        if (top.Count == 0)
        {
            throw new RemoteException(HttpStatusCode.NotFound, $"{where} has no artifacts");
        }

        var folders = new Stack<(IReadOnlyList<MlflowArtifact> Entries, int Depth)>();
        folders.Push((top, 0));
        while (folders.Count > 0)
        {
            var (entries, depth) = folders.Pop();
            foreach (MlflowArtifact entry in entries)
            {
                if (objects.Count >= MaxFiles)
                {
                    report(new SourceEvent(where, SourceEventKind.Unreadable, $"more than {MaxFiles:N0} artifacts; only the first {MaxFiles:N0} are scanned"));
                    return objects;
                }

                if (!entry.IsDir)
                {
                    objects.Add(ObjectFor(store, entry, root, display));
                }
                else if (depth + 1 >= MaxDepth)
                {
                    report(new SourceEvent(display + "/" + entry.Path, SourceEventKind.Unreadable, $"folders nest deeper than {MaxDepth} levels; not listed further"));
                }
                else
                {
                    folders.Push((store.List(entry.Path), depth + 1));
                }
            }
        }

        return objects;
    }

    private static RemoteObject ObjectFor(IMlflowArtifacts store, MlflowArtifact file, string root, string display)
    {
        long size = file.Size ?? throw new RemoteException(null, $"the listing gave no size for '{file.Path}'.");
        string shown = root.Length > 0 && file.Path.StartsWith(root + "/", StringComparison.Ordinal) ? file.Path[(root.Length + 1)..] : file.Path;
        return new RemoteObject(display + "/" + shown, store.Download(file.Path), size);
    }

    private Uri Api(string relative) => new(_tracking, "api/2.0/mlflow/" + relative);

    // Only the scheme and host of a storage location are shown: a signed or credentialed URI must not reach the output.
    private static string Scheme(string uri) => Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) && parsed.Host.Length > 0
        ? $"{parsed.Scheme}://{parsed.Host}/…"
        : uri.Split(':')[0] + ":…";

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
