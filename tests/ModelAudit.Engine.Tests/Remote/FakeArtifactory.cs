#nullable enable
using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Security.Cryptography;

namespace ModelAudit.Engine.Tests.Remote;

/// <summary>
/// A loopback JFrog Artifactory under <c>/artifactory/</c>, following the published REST shapes: folder info
/// (<c>GET /artifactory/api/storage/{repo}/{path}</c>: <c>{repo, path, children: [{uri, folder}]}</c>), file info
/// (<c>{repo, path, size, downloadUri, checksums: {sha1, md5, sha256}}</c>), the File List API
/// (<c>?list&amp;deep=1</c>: <c>{uri, files: [{uri, size, folder, sha1, sha2}]}</c>) and downloads with Range
/// (<c>GET /artifactory/{repo}/{path}</c>). Errors are <c>{errors: [{status, message}]}</c>.
/// </summary>
public sealed class FakeArtifactory : LoopbackServer
{
    private readonly ConcurrentDictionary<string, (byte[] Content, string Sha256)> _files = new(StringComparer.Ordinal);

    /// <summary>The Artifactory base URL, <c>http://127.0.0.1:port/artifactory</c>.</summary>
    public string BaseUrl => Endpoint + "/artifactory";

    /// <summary>Adds a file; its published sha256 is the content's unless <paramref name="publishedSha256"/> says otherwise.</summary>
    public void AddFile(string repo, string path, byte[] content, string? publishedSha256 = null) =>
        _files[repo + "/" + path] = (content, publishedSha256 ?? Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant());

    protected override void Handle(HttpListenerContext context, string path)
    {
        const string storage = "/artifactory/api/storage/";
        if (path.StartsWith(storage, StringComparison.Ordinal))
        {
            Storage(context, path[storage.Length..].TrimEnd('/'));
            return;
        }

        if (path.StartsWith("/artifactory/", StringComparison.Ordinal) && _files.TryGetValue(path["/artifactory/".Length..], out var file))
        {
            Download(context, path, file.Content);
            return;
        }

        Error(context, 404, "File not found.");
    }

    private void Storage(HttpListenerContext context, string key)
    {
        int slash = key.IndexOf('/');
        string repo = slash < 0 ? key : key[..slash], folder = slash < 0 ? string.Empty : key[(slash + 1)..];
        if (_files.TryGetValue(key, out var file))
        {
            string sha1 = Convert.ToHexString(SHA1.HashData(file.Content)).ToLowerInvariant();
            Json(context, $"{{\"repo\":{Quote(repo)},\"path\":{Quote("/" + folder)},\"size\":\"{file.Content.Length}\",\"downloadUri\":{Quote(BaseUrl + "/" + key)},"
                + $"\"checksums\":{{\"sha1\":\"{sha1}\",\"sha256\":\"{file.Sha256}\"}},\"originalChecksums\":{{\"sha256\":\"{file.Sha256}\"}},\"uri\":{Quote(BaseUrl + "/api/storage/" + key)}}}");
            return;
        }

        string prefix = key + "/";
        var inside = _files.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(f => f.Key, StringComparer.Ordinal).ToArray();
        if (inside.Length == 0)
        {
            Error(context, 404, "Unable to find item");
            return;
        }

        if (context.Request.Url!.Query.Contains("list", StringComparison.Ordinal))
        {
            // deep=1: every file below the folder, each uri relative to it; sizes are numbers, booleans real booleans.
            var files = inside.Select(f => $"{{\"uri\":{Quote("/" + f.Key[prefix.Length..])},\"size\":{f.Value.Content.Length},\"lastModified\":\"2026-01-01T00:00:00.000Z\","
                + $"\"folder\":false,\"sha1\":\"{Convert.ToHexString(SHA1.HashData(f.Value.Content)).ToLowerInvariant()}\",\"sha2\":\"{f.Value.Sha256}\"}}");
            Json(context, $"{{\"uri\":{Quote(BaseUrl + "/api/storage/" + key)},\"created\":\"2026-01-01T00:00:00.000Z\",\"files\":[{string.Join(",", files)}]}}");
            return;
        }

        var children = inside.Select(f => f.Key[prefix.Length..]).Select(rest => rest.Contains('/') ? (Name: rest[..rest.IndexOf('/')], Folder: true) : (Name: rest, Folder: false))
            .Distinct().Select(c => $"{{\"uri\":{Quote("/" + c.Name)},\"folder\":{(c.Folder ? "true" : "false")}}}");
        Json(context, $"{{\"repo\":{Quote(repo)},\"path\":{Quote("/" + folder)},\"uri\":{Quote(BaseUrl + "/api/storage/" + key)},\"children\":[{string.Join(",", children)}]}}");
    }

    private void Error(HttpListenerContext context, int status, string message) =>
        Json(context, $"{{\"errors\":[{{\"status\":{status},\"message\":{Quote(message)}}}]}}", status);
}
