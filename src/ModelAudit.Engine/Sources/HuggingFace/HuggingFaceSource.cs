using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Sources.HuggingFace;

/// <summary>
/// The files of a Hugging Face repository (or a folder or file in it), listed through the Hub API
/// (<c>/api/{models|datasets|spaces}/{id}/tree/{revision}/{path}?recursive=true</c>, pages followed through the
/// <c>Link: rel="next"</c> header) and read by ranged GETs of <c>/{id}/resolve/{revision}/{path}</c>. Each LFS file
/// carries the SHA-256 the Hub publishes (its oid), which the engine checks the served bytes against.
/// </summary>
public sealed class HuggingFaceSource : IScanSource
{
    /// <summary>The public Hub; HF_ENDPOINT replaces it (mirrors, tests).</summary>
    public const string DefaultEndpoint = "https://huggingface.co";

    // The Hub pages its tree listing at 1,000 entries; a repository of more than 100 pages is not a model repository
    // and listing it further would only stall the scan, so the cut is reported.
    private const int MaxPages = 100;

    // A listing page is JSON of about 200 bytes per file; 16 MiB is far above any real page and bounds a hostile one.
    private const int MaxPageBytes = 16 << 20;

    private readonly HuggingFaceRepo _repo;
    private readonly Uri _endpoint;
    private readonly RemoteHttp _http;

    public HuggingFaceSource(HuggingFaceRepo repo, Uri endpoint, string? token, RemoteReadSettings? reads = null)
    {
        _repo = repo;
        _endpoint = endpoint;
        _http = new RemoteHttp(endpoint, token is null ? null : new AuthenticationHeaderValue("Bearer", token), reads: reads);
    }

    /// <summary>The HTTP client of this source (bytes received, for progress and tests).</summary>
    public RemoteHttp Http => _http;

    /// <summary>The endpoint from HF_ENDPOINT, or the public Hub.</summary>
    public static Uri EndpointFromEnvironment() =>
        Uri.TryCreate(Environment.GetEnvironmentVariable("HF_ENDPOINT"), UriKind.Absolute, out Uri? mirror) ? mirror : new Uri(DefaultEndpoint);

    /// <summary>The token from HF_TOKEN (or the older HUGGING_FACE_HUB_TOKEN), if set.</summary>
    public static string? TokenFromEnvironment() =>
        NonEmpty(Environment.GetEnvironmentVariable("HF_TOKEN")) ?? NonEmpty(Environment.GetEnvironmentVariable("HUGGING_FACE_HUB_TOKEN"));

    /// <inheritdoc />
    public IEnumerable<ScanItem> Enumerate(ScanOptions options, Action<SourceEvent> report)
    {
        string where = _repo.DisplayFor(_repo.Path);
        List<TreeEntry> files;
        try
        {
            files = List(report, where);
        }
        catch (Exception ex) when (ex is IOException or JsonException or FormatException or InvalidOperationException)
        {
            report(new SourceEvent(where, SourceEventKind.Unreadable, ex.Message));
            return Array.Empty<ScanItem>();
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return files.Where(f => LocalFileSource.Matches(LastSegment(f.Path), options, null)).Select(ItemFor).ToArray();
    }

    private ScanItem ItemFor(TreeEntry file)
    {
        Uri resolve = new(_endpoint, $"{_repo.UrlPrefix}{_repo.Id}/resolve/{Uri.EscapeDataString(_repo.Revision)}/{EscapePath(file.Path)}");
        var info = new SourceItemInfo { PublishedSha256 = file.LfsSha256, ETag = file.LfsSha256 ?? file.Oid };
        string display = _repo.DisplayFor(file.Path);
        return new ScanItem(display, file.Size, () => new BlockCachedStream(Cached(display, info, new HttpRangeReader(_http, resolve, file.Size))), info);
    }

    // Keyed by the display URI and the blob's identity (LFS sha256, else git oid): a new commit of the file is a miss.
    private IRangeReader Cached(string display, SourceItemInfo info, IRangeReader reader) =>
        _http.Reads.Cache is { } cache ? cache.Wrap(reader, display, info.ETag, info.PublishedSha256) : reader;

    private List<TreeEntry> List(Action<SourceEvent> report, string where)
    {
        try
        {
            return ListTree(_repo.Path, recursive: true, report, where);
        }
        catch (RemoteException ex) when (ex.Status == HttpStatusCode.NotFound && _repo.Path.Length > 0)
        {
            // The path may name a file: the tree of a file is not found, so look for it in its folder's listing.
            int slash = _repo.Path.LastIndexOf('/');
            string parent = slash < 0 ? string.Empty : _repo.Path[..slash];
            List<TreeEntry> siblings = ListTree(parent, recursive: false, report, where);
            List<TreeEntry> match = siblings.Where(e => e.Path == _repo.Path).ToList();
            if (match.Count == 0)
            {
                throw;
            }

            return match;
        }
    }

    private List<TreeEntry> ListTree(string path, bool recursive, Action<SourceEvent> report, string where)
    {
        string suffix = path.Length == 0 ? string.Empty : "/" + EscapePath(path);
        Uri? page = new(_endpoint, $"api/{_repo.ApiKind}/{_repo.Id}/tree/{Uri.EscapeDataString(_repo.Revision)}{suffix}{(recursive ? "?recursive=true" : string.Empty)}");
        var files = new List<TreeEntry>();
        for (int pages = 0; page is not null; pages++)
        {
            if (pages == MaxPages)
            {
                report(new SourceEvent(where, SourceEventKind.Unreadable, $"the listing has more than {MaxPages} pages; only the first {files.Count:N0} files are scanned"));
                break;
            }

            using HttpResponseMessage response = _http.Get(page, null, CancellationToken.None);
            files.AddRange(TreeEntry.ParsePage(ReadBounded(response, page), RemoteHttp.Display(page)));
            page = NextPage(response, page);
        }

        return files;
    }

    // Only a next page on the same origin is followed: a listing must not send the token to another host.
    private Uri? NextPage(HttpResponseMessage response, Uri current)
    {
        if (!response.Headers.TryGetValues("Link", out IEnumerable<string>? links))
        {
            return null;
        }

        foreach (string link in links.SelectMany(l => l.Split(',')))
        {
            string[] parts = link.Split(';');
            if (parts.Length < 2 || !parts.Skip(1).Any(p => p.Trim() is "rel=\"next\"" or "rel=next"))
            {
                continue;
            }

            string target = parts[0].Trim().TrimStart('<').TrimEnd('>');
            if (Uri.TryCreate(current, target, out Uri? next)
                && Uri.Compare(next, _endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
            {
                return next;
            }
        }

        return null;
    }

    private byte[] ReadBounded(HttpResponseMessage response, Uri page)
    {
        using Stream body = response.Content.ReadAsStream();
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int n;
        while ((n = body.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > MaxPageBytes)
            {
                throw new RemoteException(response.StatusCode, $"{RemoteHttp.Display(page)} sent a listing page over {MaxPageBytes:N0} bytes.");
            }

            buffer.Write(chunk, 0, n);
        }

        _http.CountReceived(buffer.Length);
        return buffer.ToArray();
    }

    private static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static string LastSegment(string path) => path[(path.LastIndexOf('/') + 1)..];

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
