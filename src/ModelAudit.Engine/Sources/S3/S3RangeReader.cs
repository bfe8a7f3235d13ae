using Amazon.S3;
using Amazon.S3.Model;
using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Sources.S3;

/// <summary>
/// One S3 object read by ranged GetObject calls. Each range is conditional on the ETag the listing gave
/// (If-Match), so an object replaced between listing and reading is an error rather than a mix of two versions;
/// a body shorter than the range asked for is a truncated download, also an error. Bytes transferred are counted
/// against -MaxDownloadSize.
/// </summary>
internal sealed class S3RangeReader : IRangeReader
{
    private readonly S3Connection _connection;
    private readonly string _key;
    private readonly string? _eTag;
    private readonly string _display;
    private long _transferred;

    public S3RangeReader(S3Connection connection, string key, long length, string? eTag, string display)
    {
        _connection = connection;
        _key = key;
        _eTag = eTag;
        _display = display;
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

        int want = (int)Math.Min(buffer.Length, Length - offset);
        if (_connection.MaxDownloadSize is { } cap && _transferred + want > cap)
        {
            throw new DownloadLimitException(
                $"{_display}: reading on would transfer more than the {cap:N0}-byte -MaxDownloadSize ({_transferred:N0} of {Length:N0} bytes read); the rest was not scanned.");
        }

        byte[] chunk = new byte[want];
        int read = _connection.Run(_display, token => ReadRangeAsync(offset, chunk, token), cancellationToken);
        chunk.AsSpan(0, read).CopyTo(buffer);
        _transferred += read;
        _connection.CountReceived(read);
        if (read < want)
        {
            throw new RemoteException(null, $"{_display}: the body ended after {offset + read:N0} of {Length:N0} bytes (truncated download).");
        }

        return read;
    }

    private async Task<int> ReadRangeAsync(long offset, byte[] chunk, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest
        {
            BucketName = _connection.Location.Bucket,
            Key = _key,
            ByteRange = new ByteRange(offset, offset + chunk.Length - 1),
            EtagToMatch = _eTag,
        };
        using GetObjectResponse response = await _connection.Client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        if ((response.ContentRange is null && offset != 0) || response.ContentLength > chunk.Length)
        {
            // A whole-object answer: reading it to reach the range would download it whole, which ranges exist to avoid.
            throw new RemoteException(response.HttpStatusCode, $"{_display}: the store does not serve byte ranges.");
        }

        if (response.ContentRange is { } range && !range.StartsWith($"bytes {offset}-", StringComparison.Ordinal))
        {
            throw new RemoteException(response.HttpStatusCode, $"{_display}: the store answered '{range}' for bytes {offset:N0}–: the object changed or the store is wrong.");
        }

        int read = 0;
        using Stream body = response.ResponseStream;
        while (read < chunk.Length)
        {
            int n = await body.ReadAsync(chunk.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read;
    }
}
