#nullable enable
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.Json;

namespace ModelAudit.Engine.Tests.Remote;

/// <summary>
/// A loopback MLflow tracking server (what MLFLOW_TRACKING_URI points at), following the published REST shapes:
/// <c>model-versions/get</c>, <c>registered-models/get-latest-versions</c> (POST <c>{name, stages}</c>),
/// <c>registered-models/alias</c> and <c>model-versions/get-download-uri</c> under <c>/api/2.0/mlflow/</c>;
/// <c>artifacts/list?run_id=&amp;path=&amp;page_token=</c> (<c>{root_uri, files: [{path, is_dir, file_size}],
/// next_page_token}</c>); the proxied store (<c>/api/2.0/mlflow-artifacts/artifacts[/path]</c>) and <c>/get-artifact</c>.
/// Errors are <c>{error_code, message}</c> with MLflow's statuses (RESOURCE_DOES_NOT_EXIST is 404).
/// </summary>
public sealed class FakeMlflow : LoopbackServer
{
    private readonly ConcurrentDictionary<string, Run> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<Version>> _models = new(StringComparer.Ordinal);

    /// <summary>Entries per artifacts/list page (the server's default is 1,000).</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>Adds a run; a proxied run's root is <c>mlflow-artifacts:/0/{id}/artifacts</c>, another's an s3:// URI
    /// the server reads itself (served through /get-artifact).</summary>
    public void AddRun(string runId, bool proxied) => _runs[runId] = new Run(runId, proxied);

    /// <summary>The artifact root URI of a run.</summary>
    public string RootUri(string runId) => _runs[runId].RootUri;

    /// <summary>Adds a file to a run's artifacts (path relative to its root).</summary>
    public void AddArtifact(string runId, string path, byte[] content) => _runs[runId].Files[path] = content;

    /// <summary>Registers a model version whose files are at <paramref name="artifactUri"/> (what get-download-uri answers).</summary>
    public void AddModelVersion(string name, int version, string stage, string[] aliases, string? runId, string artifactUri) =>
        _models.GetOrAdd(name, _ => new List<Version>()).Add(new Version(name, version, stage, aliases, runId ?? string.Empty, artifactUri));

    protected override void Handle(HttpListenerContext context, string path)
    {
        var query = context.Request.QueryString;
        switch (path)
        {
            case "/api/2.0/mlflow/model-versions/get":
                Answer(context, Find(query["name"], v => v.Number.ToString(CultureInfo.InvariantCulture) == query["version"]), v => "{\"model_version\":" + v.Json + "}");
                return;
            case "/api/2.0/mlflow/registered-models/alias":
                Answer(context, Find(query["name"], v => v.Aliases.Contains(query["alias"])), v => "{\"model_version\":" + v.Json + "}");
                return;
            case "/api/2.0/mlflow/model-versions/get-download-uri":
                Answer(context, Find(query["name"], v => v.Number.ToString(CultureInfo.InvariantCulture) == query["version"]), v => "{\"artifact_uri\":" + Quote(v.ArtifactUri) + "}");
                return;
            case "/api/2.0/mlflow/registered-models/get-latest-versions" when context.Request.HttpMethod == "POST":
                LatestVersions(context);
                return;
            case "/api/2.0/mlflow/artifacts/list":
                ListRun(context, query["run_id"], query["path"] ?? string.Empty, query["page_token"]);
                return;
            case "/api/2.0/mlflow-artifacts/artifacts":
                ListProxied(context, query["path"] ?? string.Empty);
                return;
            case "/get-artifact" when query["run_uuid"] is { } runId && _runs.TryGetValue(runId, out Run? run)
                && !run.Proxied && run.Files.TryGetValue(query["path"] ?? string.Empty, out byte[]? file):
                Download(context, runId + "/" + query["path"], file);
                return;
        }

        const string proxiedPrefix = "/api/2.0/mlflow-artifacts/artifacts/";
        if (path.StartsWith(proxiedPrefix, StringComparison.Ordinal) && Proxied(path[proxiedPrefix.Length..]) is var (owner, relative)
            && owner.Files.TryGetValue(relative, out byte[]? content))
        {
            Download(context, owner.Id + "/" + relative, content);
            return;
        }

        NotFound(context, "No such endpoint or artifact: " + path);
    }

    private Version? Find(string? name, Func<Version, bool> match) =>
        name is not null && _models.TryGetValue(name, out List<Version>? versions) ? versions.FirstOrDefault(match) : null;

    private void Answer(HttpListenerContext context, Version? version, Func<Version, string> json)
    {
        if (version is null)
        {
            NotFound(context, "Registered model version not found");
            return;
        }

        Json(context, json(version));
    }

    private void LatestVersions(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream);
        using JsonDocument body = JsonDocument.Parse(reader.ReadToEnd());
        string name = body.RootElement.GetProperty("name").GetString()!;
        string[] stages = body.RootElement.TryGetProperty("stages", out JsonElement s) ? s.EnumerateArray().Select(e => e.GetString()!).ToArray() : Array.Empty<string>();
        if (!_models.TryGetValue(name, out List<Version>? versions))
        {
            NotFound(context, $"Registered Model with name={name} not found");
            return;
        }

        // The latest version in each stage asked for (every stage when none is), as the registry answers.
        var latest = versions.Where(v => stages.Length == 0 || stages.Contains(v.Stage, StringComparer.OrdinalIgnoreCase))
            .GroupBy(v => v.Stage).Select(g => g.OrderByDescending(v => v.Number).First()).OrderBy(v => v.Number);
        Json(context, "{\"model_versions\":[" + string.Join(",", latest.Select(v => v.Json)) + "]}");
    }

    private void ListRun(HttpListenerContext context, string? runId, string folder, string? pageToken)
    {
        if (runId is null || !_runs.TryGetValue(runId, out Run? run))
        {
            NotFound(context, $"Run '{runId}' not found");
            return;
        }

        string[] entries = Entries(run, folder).Select(e => e.Json(folder.Length == 0 ? e.Name : folder + "/" + e.Name)).ToArray();
        int start = int.TryParse(pageToken, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0;
        string next = start + PageSize < entries.Length ? $",\"next_page_token\":\"{start + PageSize}\"" : string.Empty;
        Json(context, $"{{\"root_uri\":{Quote(run.RootUri)},\"files\":[{string.Join(",", entries.Skip(start).Take(PageSize))}]{next}}}");
    }

    private void ListProxied(HttpListenerContext context, string path)
    {
        // The proxied listing names entries by their name in the folder.
        string[] entries = Proxied(path) is var (run, folder) ? Entries(run, folder).Select(e => e.Json(e.Name)).ToArray() : Array.Empty<string>();
        Json(context, "{\"files\":[" + string.Join(",", entries) + "]}");
    }

    private static IEnumerable<Entry> Entries(Run run, string folder)
    {
        string prefix = folder.Length == 0 ? string.Empty : folder + "/";
        var entries = new SortedDictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var (path, content) in run.Files.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            string rest = path[prefix.Length..];
            int slash = rest.IndexOf('/');
            entries[slash < 0 ? rest : rest[..slash]] = slash < 0 ? new Entry(rest, false, content.Length) : new Entry(rest[..slash], true, 0);
        }

        return entries.Values;
    }

    // A proxied path 0/{run}/artifacts/{relative} names a proxied run's file or folder.
    private (Run Run, string Relative)? Proxied(string path)
    {
        string[] parts = path.Trim('/').Split('/');
        return parts.Length >= 3 && parts[0] == "0" && parts[2] == "artifacts" && _runs.TryGetValue(parts[1], out Run? run) && run.Proxied
            ? (run, string.Join('/', parts.Skip(3)))
            : null;
    }

    private void NotFound(HttpListenerContext context, string message) =>
        Json(context, "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":" + Quote(message) + "}", 404);

    private sealed record Run(string Id, bool Proxied)
    {
        public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

        public string RootUri => Proxied ? $"mlflow-artifacts:/0/{Id}/artifacts" : $"s3://mlflow-bucket/0/{Id}/artifacts";
    }

    private sealed record Entry(string Name, bool IsDir, long Size)
    {
        public string Json(string path) => IsDir
            ? $"{{\"path\":{Quote(path)},\"is_dir\":true}}"
            : $"{{\"path\":{Quote(path)},\"is_dir\":false,\"file_size\":{Size}}}";
    }

    private sealed record Version(string Name, int Number, string Stage, string[] Aliases, string RunId, string ArtifactUri)
    {
        public string Json => $"{{\"name\":{Quote(Name)},\"version\":\"{Number}\",\"current_stage\":{Quote(Stage)},\"status\":\"READY\","
            + $"\"source\":{Quote(ArtifactUri)},\"run_id\":{Quote(RunId)},\"aliases\":[{string.Join(",", Aliases.Select(Quote))}]}}";
    }
}
