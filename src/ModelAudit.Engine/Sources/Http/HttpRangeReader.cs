using System.Net;

namespace ModelAudit.Engine.Sources.Http;

/// <summary>
/// An object behind a URL, read by ranged GETs. The length comes from the store's listing; every 206 answer's
/// Content-Range must agree with it, so an object that changed between listing and reading is an error rather
/// than a mix of two versions. Bytes transferred are counted against -MaxDownloadSize (the client's
/// <see cref="RemoteHttp.Reads"/>), per object as for S3.
/// </summary>
public sealed class HttpRangeReader : IRangeReader
{
    private readonly RemoteHttp _http;
    private readonly Uri _uri;
    private long _transferred;

    public HttpRangeReader(RemoteHttp http, Uri uri, long length)
    {
        _http = http;
        _uri = uri;
        Length = length;
    }

    /// <inheritdoc />
    public long Length { get; }

    /// <inheritdoc />
    public int ReadAt(long offset, Span<byte> buffer, CancellationToken cancellationToken)
    {
        if (offset >= Length || buffer.IsEmpty)
        {
            return 0;
        }

        long want = Math.Min(buffer.Length, Length - offset);
        if (_http.Reads.MaxDownloadSize is { } cap && _transferred + want > cap)
        {
            throw new DownloadLimitException(
                $"{RemoteHttp.Display(_uri)}: reading on would transfer more than the {cap:N0}-byte -MaxDownloadSize ({_transferred:N0} of {Length:N0} bytes read); the rest was not scanned.");
        }

        using HttpResponseMessage response = _http.Get(_uri, (offset, offset + want - 1), cancellationToken);
        if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            if (response.Content.Headers.ContentRange is { } range
                && (range.From != offset || (range.Length is { } total && total != Length)))
            {
                throw new RemoteException(response.StatusCode,
                    $"{RemoteHttp.Display(_uri)} answered bytes {range.From}–{range.To} of {range.Length} for bytes {offset}– of {Length}: the object changed or the server is wrong.");
            }
        }
        else if (offset != 0)
        {
            // A 200 is the whole object: reading it to reach the range would download it whole, which ranges exist to avoid.
            throw new RemoteException(response.StatusCode, $"{RemoteHttp.Display(_uri)} does not serve byte ranges.");
        }

        using Stream body = response.Content.ReadAsStream(cancellationToken);
        int read = 0;
        while (read < want)
        {
            int n = body.Read(buffer[read..(int)want]);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        _transferred += read;
        _http.CountReceived(read);
        if (read < want)
        {
            throw new RemoteException(response.StatusCode, $"{RemoteHttp.Display(_uri)} ended after {offset + read:N0} of {Length:N0} bytes (truncated body).");
        }

        return read;
    }
}
