#nullable enable
using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Threading;

namespace ModelAudit.Engine.Tests.Remote;

/// <summary>
/// A loopback Cloud Storage JSON API (what STORAGE_EMULATOR_HOST points at), following its published shapes:
/// <c>GET /storage/v1/b/{bucket}/o?prefix=&amp;pageToken=</c> answers <c>{kind: "storage#objects", items: [{name,
/// bucket, size (a string), generation, md5Hash, etag}], nextPageToken}</c>; <c>GET /storage/v1/b/{bucket}/o/{object}?alt=media</c>
/// serves the bytes with Range, and a generation other than the object's current one is 404.
/// </summary>
public sealed class FakeGcs : LoopbackServer
{
    private readonly ConcurrentDictionary<string, (byte[] Content, long Generation)> _objects = new(StringComparer.Ordinal);
    private long _nextGeneration = 1_700_000_000_000_000;

    /// <summary>Objects per listing page (the API's default and maximum is 1,000).</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>Adds (or replaces, with a new generation) an object.</summary>
    public void AddObject(string bucket, string name, byte[] content) =>
        _objects[bucket + "/" + name] = (content, Interlocked.Increment(ref _nextGeneration));

    protected override void Handle(HttpListenerContext context, string path)
    {
        string raw = context.Request.Url!.AbsolutePath;
        string[] parts = raw.Trim('/').Split('/');
        if (parts.Length < 5 || parts[0] != "storage" || parts[1] != "v1" || parts[2] != "b" || parts[4] != "o")
        {
            Json(context, "{\"error\":{\"code\":404,\"message\":\"Not Found\"}}", 404);
            return;
        }

        string bucket = Uri.UnescapeDataString(parts[3]);
        if (!_objects.Keys.Any(k => k.StartsWith(bucket + "/", StringComparison.Ordinal)))
        {
            Json(context, "{\"error\":{\"code\":404,\"message\":\"The specified bucket does not exist.\"}}", 404);
            return;
        }

        if (parts.Length == 5)
        {
            List(context, bucket);
            return;
        }

        // The object name is one escaped segment (%2F for '/').
        string name = Uri.UnescapeDataString(string.Join('/', parts.Skip(5)));
        if (context.Request.QueryString["alt"] == "media" && _objects.TryGetValue(bucket + "/" + name, out var entry)
            && (context.Request.QueryString["generation"] is not { } generation || generation == entry.Generation.ToString(CultureInfo.InvariantCulture)))
        {
            Download(context, bucket + "/" + name, entry.Content);
            return;
        }

        Json(context, "{\"error\":{\"code\":404,\"message\":\"No such object\"}}", 404);
    }

    private void List(HttpListenerContext context, string bucket)
    {
        string prefix = context.Request.QueryString["prefix"] ?? string.Empty;
        var matching = _objects.Where(o => o.Key.StartsWith(bucket + "/" + prefix, StringComparison.Ordinal))
            .OrderBy(o => o.Key, StringComparer.Ordinal).ToArray();
        int start = int.TryParse(context.Request.QueryString["pageToken"]?.Replace("page-", string.Empty), NumberStyles.None, CultureInfo.InvariantCulture, out int s) ? s : 0;
        var page = matching.Skip(start).Take(PageSize).Select(o =>
        {
            string name = o.Key[(bucket.Length + 1)..];
            string md5 = Convert.ToBase64String(MD5.HashData(o.Value.Content));
            return $"{{\"kind\":\"storage#object\",\"name\":{Quote(name)},\"bucket\":{Quote(bucket)},\"generation\":\"{o.Value.Generation}\","
                + $"\"size\":\"{o.Value.Content.Length}\",\"md5Hash\":{Quote(md5)},\"etag\":\"CAE=\"}}";
        });
        string next = start + PageSize < matching.Length ? $",\"nextPageToken\":\"page-{start + PageSize}\"" : string.Empty;
        Json(context, "{\"kind\":\"storage#objects\",\"items\":[" + string.Join(",", page) + "]" + next + "}");
    }
}
