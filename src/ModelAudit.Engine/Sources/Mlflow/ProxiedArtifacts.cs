using System.Text.Json;
using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Sources.Mlflow;

/// <summary>
/// The artifact store a tracking server proxies (<c>mlflow-artifacts:</c> URIs, <c>mlflow server --serve-artifacts</c>):
/// <c>GET /api/2.0/mlflow-artifacts/artifacts?path=…</c> lists a folder (<c>{files: [{path, is_dir, file_size}]}</c>,
/// each path a name in that folder) and <c>GET /api/2.0/mlflow-artifacts/artifacts/{path}</c> serves a file.
/// </summary>
internal sealed class ProxiedArtifacts : IMlflowArtifacts
{
    private readonly RemoteHttp _http;
    private readonly Uri _tracking;

    public ProxiedArtifacts(RemoteHttp http, Uri tracking)
    {
        _http = http;
        _tracking = tracking;
    }

    /// <inheritdoc />
    public IReadOnlyList<MlflowArtifact> List(string folder)
    {
        Uri listing = new(_tracking, "api/2.0/mlflow-artifacts/artifacts" + (folder.Length == 0 ? string.Empty : "?path=" + Uri.EscapeDataString(folder)));
        using JsonDocument document = RemoteJson.Get(_http, listing);
        var entries = new List<MlflowArtifact>();
        if (document.RootElement.TryGetProperty("files", out JsonElement files) && files.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement file in files.EnumerateArray())
            {
                string name = RemoteJson.String(file, "path") ?? throw new RemoteException(null, $"{RemoteHttp.Display(listing)} listed an artifact without a path.");
                string path = MlflowPaths.Checked(folder, MlflowPaths.Join(folder, name), listing);
                entries.Add(new MlflowArtifact(path, RemoteJson.Boolean(file, "is_dir") ?? false, RemoteJson.Int64(file, "file_size")));
            }
        }

        return entries;
    }

    /// <inheritdoc />
    public Uri Download(string path) => DownloadUri(_tracking, path);

    /// <summary>The proxied download URL of <paramref name="path"/>.</summary>
    public static Uri DownloadUri(Uri tracking, string path) => new(tracking, "api/2.0/mlflow-artifacts/artifacts/" + MlflowPaths.Escape(path));
}
