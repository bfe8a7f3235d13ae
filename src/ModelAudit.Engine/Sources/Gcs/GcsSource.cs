using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Sources.Gcs;

/// <summary>
/// The objects of a Google Cloud Storage bucket under a prefix, listed through the JSON API
/// (<c>GET /storage/v1/b/{bucket}/o?prefix=…</c>, pages followed through <c>nextPageToken</c>/<c>pageToken</c>) and
/// read by ranged media downloads (<c>GET /storage/v1/b/{bucket}/o/{object}?alt=media&amp;generation=…</c>). The
/// generation the listing gave is pinned, so an object replaced while it is scanned is an error, never a mix.
/// </summary>
/// <remarks>
/// <c>gs://bucket/name</c> means the object <c>name</c> and everything under <c>name/</c> (as gsutil reads it), so
/// <c>gs://b/model.pkl</c> does not also pick up <c>model.pkl.bak</c>; a prefix ending in <c>/</c> is a folder.
/// </remarks>
public sealed class GcsSource : IScanSource
{
    /// <summary>The public JSON API endpoint; STORAGE_EMULATOR_HOST replaces it (emulators, tests).</summary>
    public const string DefaultEndpoint = "https://storage.googleapis.com";

    // Objects pages hold up to 1,000 items; 1,000 pages is a million objects, far past a model store: the cut is reported.
    private const int MaxPages = 1000;

    private readonly GcsLocation _location;
    private readonly Uri _endpoint;
    private readonly RemoteHttp _http;

    public GcsSource(GcsLocation location, Uri endpoint, string? token, RemoteReadSettings? reads = null)
    {
        _location = location;
        _endpoint = endpoint;
        _http = new RemoteHttp(endpoint, token is null ? null : new AuthenticationHeaderValue("Bearer", token), reads: reads);
    }

    /// <summary>The HTTP client of this source (bytes received, for progress and tests).</summary>
    public RemoteHttp Http => _http;

    /// <summary>The endpoint from STORAGE_EMULATOR_HOST (<c>host:port</c> or a URL, as Google's client libraries
    /// read it), or the public API.</summary>
    public static Uri EndpointFromEnvironment()
    {
        string? emulator = Environment.GetEnvironmentVariable("STORAGE_EMULATOR_HOST");
        if (string.IsNullOrWhiteSpace(emulator))
        {
            return new Uri(DefaultEndpoint);
        }

        string url = emulator.Contains("://", StringComparison.Ordinal) ? emulator : "http://" + emulator;
        return Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
            ? uri
            : throw new FormatException("STORAGE_EMULATOR_HOST is not a host:port or URL.");
    }

    /// <summary>An OAuth 2.0 access token from GOOGLE_OAUTH_ACCESS_TOKEN or CLOUDSDK_AUTH_ACCESS_TOKEN (what
    /// <c>gcloud auth print-access-token</c> prints); null means anonymous access (public buckets).</summary>
    public static string? TokenFromEnvironment() =>
        NonEmpty(Environment.GetEnvironmentVariable("GOOGLE_OAUTH_ACCESS_TOKEN")) ?? NonEmpty(Environment.GetEnvironmentVariable("CLOUDSDK_AUTH_ACCESS_TOKEN"));

    /// <inheritdoc />
    public IEnumerable<ScanItem> Enumerate(ScanOptions options, Action<SourceEvent> report)
    {
        string where = GcsLocation.DisplayFor(_location.Bucket, _location.Prefix);
        try
        {
            List<RemoteObject> objects = List(report, where);
            if (objects.Count == 0)
            {
                throw new RemoteException(System.Net.HttpStatusCode.NotFound, $"no object named '{_location.Prefix}' or under it in bucket '{_location.Bucket}'");
            }

            return RemoteObject.Items(objects, options, _http);
        }
        // Any answer a listing cannot use is that URI's error, never an exception out of the scan (as for the Hub).
        catch (Exception ex) when (ex is IOException or JsonException or FormatException or InvalidOperationException)
        {
            report(new SourceEvent(where, RemoteFailure.KindOf(ex), ex.Message));
            return Array.Empty<ScanItem>();
        }
    }

    private List<RemoteObject> List(Action<SourceEvent> report, string where)
    {
        string prefix = _location.Prefix;
        bool folder = prefix.Length == 0 || prefix.EndsWith('/');
        var objects = new List<RemoteObject>();
        string? pageToken = null;
        for (int pages = 0; ; pages++)
        {
            if (pages == MaxPages)
            {
                report(new SourceEvent(where, SourceEventKind.Unreadable, $"the listing has more than {MaxPages} pages; only the first {objects.Count:N0} objects are scanned"));
                break;
            }

            string query = $"prefix={Uri.EscapeDataString(prefix)}" + (pageToken is null ? string.Empty : $"&pageToken={Uri.EscapeDataString(pageToken)}");
            Uri page = new(_endpoint, $"storage/v1/b/{Uri.EscapeDataString(_location.Bucket)}/o?{query}");
            using JsonDocument document = RemoteJson.Get(_http, page);
            JsonElement root = document.RootElement;
            if (root.TryGetProperty("items", out JsonElement items))
            {
                if (items.ValueKind != JsonValueKind.Array)
                {
                    throw new RemoteException(null, $"{RemoteHttp.Display(page)} did not answer with an objects list.");
                }

                foreach (JsonElement item in items.EnumerateArray())
                {
                    string name = RemoteJson.String(item, "name") ?? throw new RemoteException(null, $"{RemoteHttp.Display(page)} listed an object without a name.");
                    if (!folder && name != prefix && !name.StartsWith(prefix + "/", StringComparison.Ordinal))
                    {
                        continue; // gs://b/model.pkl is not gs://b/model.pkl.bak
                    }

                    if (name.EndsWith('/'))
                    {
                        continue; // a zero-length "folder" placeholder the console creates
                    }

                    objects.Add(ObjectFor(item, name, page));
                }
            }

            pageToken = RemoteJson.String(root, "nextPageToken");
            if (string.IsNullOrEmpty(pageToken))
            {
                break;
            }
        }

        return objects;
    }

    private RemoteObject ObjectFor(JsonElement item, string name, Uri page)
    {
        long size = RemoteJson.Int64(item, "size") ?? throw new RemoteException(null, $"{RemoteHttp.Display(page)} listed '{name}' without a valid size.");
        string? generation = RemoteJson.String(item, "generation");
        string pin = generation is not null && generation.All(char.IsAsciiDigit) ? "&generation=" + generation : string.Empty;
        Uri download = new(_endpoint, $"storage/v1/b/{Uri.EscapeDataString(_location.Bucket)}/o/{Uri.EscapeDataString(name)}?alt=media{pin}");
        string etag = RemoteJson.String(item, "md5Hash") ?? RemoteJson.String(item, "etag") ?? generation ?? size.ToString(CultureInfo.InvariantCulture);
        return new RemoteObject(GcsLocation.DisplayFor(_location.Bucket, name), download, size, ETag: etag);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
