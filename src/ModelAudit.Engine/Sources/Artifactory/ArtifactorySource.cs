using System.Net.Http.Headers;
using System.Text.Json;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Sources.Artifactory;

/// <summary>
/// A file or folder in a JFrog Artifactory repository. The storage API says which it is
/// (<c>GET /api/storage/{repo}/{path}</c>: a file's info has <c>size</c> and <c>checksums</c>, a folder's has
/// <c>children</c>); a folder is listed whole with the File List API (<c>?list&amp;deep=1</c>:
/// <c>files: [{uri, size, folder, sha1, sha2}]</c>). Files are read by ranged GETs of <c>/{repo}/{path}</c>, and the
/// SHA-256 Artifactory publishes is checked against the bytes served, like a Hugging Face LFS oid (a mismatch is
/// MA6340, Critical).
/// </summary>
public sealed class ArtifactorySource : IScanSource
{
    private readonly ArtifactoryLocation _location;
    private readonly RemoteHttp _http;

    public ArtifactorySource(ArtifactoryLocation location, string? token, RemoteReadSettings? reads = null)
    {
        _location = location;
        _http = new RemoteHttp(location.Base, token is null ? null : new AuthenticationHeaderValue("Bearer", token), reads: reads);
    }

    /// <summary>The HTTP client of this source (bytes received, for progress and tests).</summary>
    public RemoteHttp Http => _http;

    /// <summary>An access token from JFROG_ACCESS_TOKEN or ARTIFACTORY_ACCESS_TOKEN, sent as a bearer token; null
    /// means anonymous access.</summary>
    public static string? TokenFromEnvironment() =>
        NonEmpty(Environment.GetEnvironmentVariable("JFROG_ACCESS_TOKEN")) ?? NonEmpty(Environment.GetEnvironmentVariable("ARTIFACTORY_ACCESS_TOKEN"));

    /// <inheritdoc />
    public IEnumerable<ScanItem> Enumerate(ScanOptions options, Action<SourceEvent> report)
    {
        string where = RemoteHttp.Display(_location.UrlFor(_location.Path));
        try
        {
            return RemoteObject.Items(List(), options, _http);
        }
        // Any answer a listing cannot use is that URI's error, never an exception out of the scan (as for the Hub).
        catch (Exception ex) when (ex is IOException or JsonException or FormatException or InvalidOperationException)
        {
            report(new SourceEvent(where, RemoteFailure.KindOf(ex), ex.Message));
            return Array.Empty<ScanItem>();
        }
    }

    private List<RemoteObject> List()
    {
        Uri infoUri = _location.StorageFor(_location.Path);
        using JsonDocument info = RemoteJson.Get(_http, infoUri);
        JsonElement root = info.RootElement;
        if (!root.TryGetProperty("children", out _))
        {
            // A file: its info carries the size and checksums.
            long size = RemoteJson.Int64(root, "size") ?? throw new RemoteException(null, $"{RemoteHttp.Display(infoUri)} is neither a folder nor a file with a size.");
            root.TryGetProperty("checksums", out JsonElement checksums);
            return new List<RemoteObject> { ObjectFor(_location.Path, size, RemoteJson.String(checksums, "sha256"), RemoteJson.String(checksums, "sha1")) };
        }

        Uri listUri = _location.StorageFor(_location.Path, "?list&deep=1");
        using JsonDocument list = RemoteJson.Get(_http, listUri);
        if (!list.RootElement.TryGetProperty("files", out JsonElement files) || files.ValueKind != JsonValueKind.Array)
        {
            throw new RemoteException(null, $"{RemoteHttp.Display(listUri)} did not answer with a file list.");
        }

        var objects = new List<RemoteObject>();
        foreach (JsonElement file in files.EnumerateArray())
        {
            if (RemoteJson.Boolean(file, "folder") == true)
            {
                continue;
            }

            string uri = RemoteJson.String(file, "uri") ?? throw new RemoteException(null, $"{RemoteHttp.Display(listUri)} listed a file without a uri.");
            string[] segments = uri.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (!uri.StartsWith('/') || segments.Length == 0 || segments.Any(RemoteObject.IsUnsafeSegment))
            {
                // A listed name that leaves the folder would make the scan read (and report) a file that was not asked for.
                throw new RemoteException(null, $"{RemoteHttp.Display(listUri)} listed '{uri}', which is not a path inside the folder.");
            }

            long size = RemoteJson.Int64(file, "size") ?? throw new RemoteException(null, $"{RemoteHttp.Display(listUri)} listed '{uri}' without a valid size.");
            string path = (_location.Path.Length == 0 ? string.Empty : _location.Path.TrimEnd('/') + "/") + string.Join('/', segments);
            objects.Add(ObjectFor(path, size, RemoteJson.String(file, "sha2"), RemoteJson.String(file, "sha1")));
        }

        return objects;
    }

    private RemoteObject ObjectFor(string path, long size, string? sha256, string? sha1)
    {
        Uri url = _location.UrlFor(path);
        string? published = RemoteJson.Sha256(sha256);
        if (sha256 is not null && published is null)
        {
            throw new RemoteException(null, $"{RemoteHttp.Display(url)} has a published sha256 that is not a SHA-256 digest.");
        }

        return new RemoteObject(RemoteHttp.Display(url), url, size, published, published ?? sha1);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
