using System.Text.Json;
using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Sources.Mlflow;

/// <summary>
/// A run's artifacts through the tracking API: <c>GET /api/2.0/mlflow/artifacts/list?run_id=…&amp;path=…</c>
/// (<c>{root_uri, files: [{path, is_dir, file_size}], next_page_token}</c>, pages followed through
/// <c>page_token</c>), read through the proxied artifact store when the run's root is <c>mlflow-artifacts:</c> and
/// through the server's <c>/get-artifact</c> endpoint otherwise (the server reads its own store for us).
/// </summary>
internal sealed class RunArtifacts : IMlflowArtifacts
{
    // Pages of a folder listing; a run folder of more than this many pages is not a model and is cut (reported).
    private const int MaxPages = 1000;

    private readonly RemoteHttp _http;
    private readonly Uri _tracking;
    private readonly string _runId;
    private string? _rootUri;

    public RunArtifacts(RemoteHttp http, Uri tracking, string runId)
    {
        _http = http;
        _tracking = tracking;
        _runId = runId;
    }

    /// <summary>The run's artifact root as the server names it (s3://…, mlflow-artifacts:/…), known after a listing.</summary>
    public string? RootUri => _rootUri ??= Root();

    /// <inheritdoc />
    public IReadOnlyList<MlflowArtifact> List(string folder)
    {
        var entries = new List<MlflowArtifact>();
        string? pageToken = null;
        for (int pages = 0; pages < MaxPages; pages++)
        {
            Uri page = new(_tracking, "api/2.0/mlflow/artifacts/list?run_id=" + Uri.EscapeDataString(_runId)
                + (folder.Length == 0 ? string.Empty : "&path=" + Uri.EscapeDataString(folder))
                + (pageToken is null ? string.Empty : "&page_token=" + Uri.EscapeDataString(pageToken)));
            using JsonDocument document = RemoteJson.Get(_http, page);
            JsonElement root = document.RootElement;
            _rootUri ??= RemoteJson.String(root, "root_uri");
            if (root.TryGetProperty("files", out JsonElement files) && files.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement file in files.EnumerateArray())
                {
                    string path = RemoteJson.String(file, "path") ?? throw new RemoteException(null, $"{RemoteHttp.Display(page)} listed an artifact without a path.");
                    entries.Add(new MlflowArtifact(MlflowPaths.Checked(folder, path, page), RemoteJson.Boolean(file, "is_dir") ?? false, RemoteJson.Int64(file, "file_size")));
                }
            }

            pageToken = RemoteJson.String(root, "next_page_token");
            if (string.IsNullOrEmpty(pageToken))
            {
                return entries;
            }
        }

        throw new RemoteException(null, $"the listing of run {_runId} folder '{folder}' has more than {MaxPages} pages");
    }

    /// <inheritdoc />
    public Uri Download(string path) => MlflowPaths.ProxiedPath(RootUri ?? string.Empty) is { } proxied
        ? ProxiedArtifacts.DownloadUri(_tracking, MlflowPaths.Join(proxied, path))
        : new Uri(_tracking, $"get-artifact?path={Uri.EscapeDataString(path)}&run_uuid={Uri.EscapeDataString(_runId)}");

    private string? Root()
    {
        List(string.Empty);
        return _rootUri;
    }
}
