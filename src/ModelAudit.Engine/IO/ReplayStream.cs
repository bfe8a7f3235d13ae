namespace ModelAudit.Engine.IO;

/// <summary>
/// A forward-only stream that keeps what it has read, up to a bound, so a second reading of a non-seekable member
/// (a pickle reading, then the format its magic says) can start again from the first byte without reopening it.
/// Past the bound it keeps streaming but can no longer rewind; the caller reports that reading as not scanned.
/// </summary>
internal sealed class ReplayStream : ReadOnlyStream
{
    private const int ChunkSize = 1 << 16;
    private readonly Stream _inner;
    private readonly long _maxKept;
    private readonly List<byte[]> _chunks = new();
    private long _kept;
    private long _position;
    private bool _overflowed;

    public ReplayStream(Stream inner, long maxKept)
    {
        _inner = inner;
        _maxKept = maxKept;
    }

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>Starts again from the first byte; false when more than the bound was read, so the start is gone.</summary>
    public bool Rewind()
    {
        if (_overflowed)
        {
            return false;
        }

        _position = 0;
        return true;
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_position < _kept)
        {
            int chunk = (int)(_position / ChunkSize);
            int at = (int)(_position % ChunkSize);
            int n = (int)Math.Min(Math.Min(buffer.Length, ChunkSize - at), _kept - _position);
            _chunks[chunk].AsSpan(at, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        int read = _inner.Read(buffer);
        if (read > 0)
        {
            Keep(buffer[..read]);
            _position += read;
        }

        return read;
    }

    private void Keep(ReadOnlySpan<byte> data)
    {
        if (_overflowed || _kept + data.Length > _maxKept)
        {
            _overflowed = true;
            return;
        }

        while (!data.IsEmpty)
        {
            int at = (int)(_kept % ChunkSize);
            if (at == 0)
            {
                _chunks.Add(new byte[ChunkSize]);
            }

            int n = Math.Min(data.Length, ChunkSize - at);
            data[..n].CopyTo(_chunks[^1].AsSpan(at));
            _kept += n;
            data = data[n..];
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
