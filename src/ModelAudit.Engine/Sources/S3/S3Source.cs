using Amazon.S3.Model;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources.Cache;
using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Sources.S3;

/// <summary>
/// The objects under an <c>s3://bucket/prefix</c>, listed with ListObjectsV2 (page after page, by continuation
/// token) and read by ranged GetObject calls through a <see cref="BlockCachedStream"/>: a SafeTensors or GGUF header
/// and a zip's central directory are read where they are, so an object its header rejects is not downloaded whole.
/// Each item carries the object's URI as its path and its ETag, which every read must still match.
/// </summary>
public sealed class S3Source : IScanSource, IDisposable
{
    // ListObjectsV2 pages hold at most 1,000 keys; 100,000 objects is far past any model store's prefix, and listing
    // further would only stall the scan, so the cut is reported.
    private const int MaxPages = 100;

    private readonly S3Location _location;
    private readonly S3Connection _connection;
    private readonly DownloadCache? _cache;

    /// <summary>A source for <paramref name="location"/>. Throws <see cref="ArgumentException"/> for a profile that
    /// is not there or keys that are empty.</summary>
    public S3Source(S3Location location, S3Settings settings)
    {
        _location = location;
        _connection = new S3Connection(location, settings);
        _cache = settings.Cache;
    }

    /// <summary>Bytes of object bodies received so far (progress and tests).</summary>
    public long BytesReceived => _connection.BytesReceived;

    /// <summary>Listing requests made so far (tests: a prefix of more than 1,000 objects takes two).</summary>
    public int ListRequests { get; private set; }

    /// <inheritdoc />
    public IEnumerable<ScanItem> Enumerate(ScanOptions options, Action<SourceEvent> report)
    {
        string where = _location.DisplayFor(_location.Prefix);
        List<S3Object> objects;
        try
        {
            objects = List(report, where);
        }
        catch (RemoteException ex)
        {
            report(new SourceEvent(where, S3Failure.KindOf(ex), ex.Message));
            return Array.Empty<ScanItem>();
        }

        if (objects.Count == 0 && _location.Prefix.Length > 0 && !_location.Prefix.EndsWith('/'))
        {
            // A key named outright that is neither an object nor a folder: the caller meant something that is not there.
            report(new SourceEvent(where, SourceEventKind.RemoteNotFound, $"{where}: no object or folder of that name (NoSuchKey)."));
            return Array.Empty<ScanItem>();
        }

        // ListObjectsV2 returns keys in UTF-8 binary order, which is ordinal order: sorted again so the order does not
        // depend on a store that gets it wrong.
        objects.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return objects.Where(o => LocalFileSource.Matches(o.Key[(o.Key.LastIndexOf('/') + 1)..], options, null)).Select(ItemFor).ToArray();
    }

    private ScanItem ItemFor(S3Object entry)
    {
        string display = _location.DisplayFor(entry.Key);
        long size = entry.Size ?? 0;
        var info = new SourceItemInfo { ETag = entry.ETag?.Trim('"') };
        return new ScanItem(display, size, () => new BlockCachedStream(Cached(display, info.ETag, new S3RangeReader(_connection, entry.Key, size, entry.ETag, display)),
            cancellationToken: CancellationToken.None), info);
    }

    private IRangeReader Cached(string display, string? eTag, IRangeReader reader) =>
        _cache is { } cache ? cache.Wrap(reader, display, eTag, null) : reader;

    private List<S3Object> List(Action<SourceEvent> report, string where)
    {
        // A prefix without a trailing slash is listed as is, and keys that only share its leading characters
        // (models/a.pkl.bak for models/a.pkl) are left out by Covers.
        var request = new ListObjectsV2Request { BucketName = _location.Bucket, Prefix = _location.Prefix };
        var objects = new List<S3Object>();
        for (int pages = 0; ; pages++)
        {
            if (pages == MaxPages)
            {
                report(new SourceEvent(where, SourceEventKind.Unreadable, $"{where}: the listing has more than {MaxPages} pages; only the first {objects.Count:N0} objects are scanned"));
                break;
            }

            ListRequests++;
            ListObjectsV2Response page = _connection.Run(where, token => _connection.Client.ListObjectsV2Async(request, token));
            foreach (S3Object entry in page.S3Objects ?? new List<S3Object>())
            {
                // A zero-byte key ending in '/' is a folder marker made by consoles, not an object anyone loads.
                if (_location.Covers(entry.Key) && !(entry.Key.EndsWith('/') && entry.Size == 0))
                {
                    objects.Add(entry);
                }
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }

        return objects;
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();
}
