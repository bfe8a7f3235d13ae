using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Sources.Http;

/// <summary>
/// An object a store listed: the URI results carry as their path, where its bytes are read (ranged GETs), its length,
/// and what the store publishes about it (a SHA-256 the scan's own hash is checked against, an entity tag).
/// </summary>
public sealed record RemoteObject(string DisplayPath, Uri Download, long Size, string? PublishedSha256 = null, string? ETag = null)
{
    /// <summary>The last segment of the display path, which -Include/-Exclude match.</summary>
    public string Name => DisplayPath[(DisplayPath.LastIndexOf('/') + 1)..];

    /// <summary>A scan item read through <paramref name="http"/> by ranges, never downloaded whole up front (and
    /// through the download cache, keyed by the display URI and the ETag, when there is one).</summary>
    public ScanItem ToItem(RemoteHttp http) => new(DisplayPath, Size,
        () => new BlockCachedStream(Cached(http, new HttpRangeReader(http, Download, Size))),
        new SourceItemInfo { PublishedSha256 = PublishedSha256, ETag = ETag });

    /// <summary>The items of a listing that pass -Include/-Exclude, in ordinal order of their paths (deterministic
    /// whatever order the store answered in).</summary>
    public static ScanItem[] Items(IEnumerable<RemoteObject> objects, ScanOptions options, RemoteHttp http) => objects
        .Where(o => LocalFileSource.Matches(o.Name, options, null))
        .OrderBy(o => o.DisplayPath, StringComparer.Ordinal)
        .Select(o => o.ToItem(http))
        .ToArray();

    private IRangeReader Cached(RemoteHttp http, IRangeReader reader) =>
        http.Reads.Cache is { } cache ? cache.Wrap(reader, DisplayPath, ETag, PublishedSha256) : reader;

    /// <summary>True when a path segment from a store's listing could walk out of the listed folder or is not a name.</summary>
    public static bool IsUnsafeSegment(string segment) => segment is "" or "." or ".." || segment.Contains('\\') || segment.Contains('\0');
}
