using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.IO;

/// <summary>
/// The top-level file as the engine reads it: passes every read and seek through, and remembers when the file itself
/// failed — a read error, or a length that is no longer the one it had when it was opened (the file shrank or grew
/// while it was scanned). Parsers turn those into findings of the member they were reading; this keeps the fact
/// that the source, not the content, was at fault, so the file ends as an Error and not as a parse finding.
/// </summary>
internal sealed class SourceReadStream : Stream
{
    private readonly Stream _inner;
    private readonly long? _openedLength;

    public SourceReadStream(Stream inner, long? openedLength)
    {
        _inner = inner;
        _openedLength = openedLength;
    }

    /// <summary>Why the file could not be read as it was when the scan began; null while it could.</summary>
    public string? Fault { get; private set; }

    /// <summary>Why reading stopped at a download cap (-MaxDownloadSize); null while it did not.</summary>
    public string? Limit { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => _inner.CanSeek;

    public override bool CanWrite => false;

    // The length the scan plans with stays the one at open: parsers bound their reads by it.
    public override long Length => _openedLength ?? _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long before = _inner.CanSeek ? _inner.Position : -1;
        int read;
        try
        {
            read = _inner.Read(buffer);
        }
        catch (DownloadLimitException ex)
        {
            // A cap the user set, not a broken file: the scan is incomplete (Inconclusive), not failed.
            Limit ??= ex.Message;
            throw;
        }
        catch (IOException ex)
        {
            Fault ??= $"reading the file failed: {ex.Message}";
            throw;
        }

        if (_openedLength is { } length && before >= 0)
        {
            if (read == 0 && buffer.Length > 0 && before < length)
            {
                Fault ??= $"the file ends at byte {before:N0}, but it had {length:N0} bytes when the scan began: it changed while it was scanned";
            }
            else if (before + read > length)
            {
                Fault ??= $"the file has bytes past the {length:N0} it had when the scan began: it changed while it was scanned";
            }
        }

        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
