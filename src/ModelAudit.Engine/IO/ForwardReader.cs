using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.IO;

/// <summary>
/// Reads a stream front to back through a 64 KiB buffer, for formats whose items come one after another and may be
/// decompressed on the fly (R's gzip'd streams, Torch7 files): bytes are read into a span or skipped by count, and
/// the position is the count of bytes consumed. Cancellation is observed at every refill.
/// </summary>
internal sealed class ForwardReader
{
    private const int BufferSize = 64 << 10;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly CancellationToken _cancellationToken;
    private int _start;
    private int _end;

    public ForwardReader(Stream stream, CancellationToken cancellationToken)
    {
        _stream = stream;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Bytes consumed so far: the offset of the next byte in the stream.</summary>
    public long Position { get; private set; }

    public byte Byte()
    {
        if (_start == _end && !Fill())
        {
            throw new EndOfStreamException();
        }

        Position++;
        return _buffer[_start++];
    }

    /// <summary>The next byte without consuming it, or -1 at the end.</summary>
    public int Peek() => _start == _end && !Fill() ? -1 : _buffer[_start];

    public void Read(Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            if (_start == _end && !Fill())
            {
                throw new EndOfStreamException();
            }

            int take = Math.Min(destination.Length, _end - _start);
            _buffer.AsSpan(_start, take).CopyTo(destination);
            _start += take;
            Position += take;
            destination = destination[take..];
        }
    }

    /// <summary>Reads <paramref name="length"/> bytes and returns the first <paramref name="keep"/> of them.</summary>
    public byte[] Bytes(long length, int keep)
    {
        if (length < 0)
        {
            throw new ModelFormatException($"a length of {length}", Position);
        }

        byte[] kept = new byte[Math.Min(length, keep)];
        Read(kept);
        Skip(length - kept.Length);
        return kept;
    }

    public void Skip(long count)
    {
        while (count > 0)
        {
            if (_start == _end && !Fill())
            {
                throw new EndOfStreamException();
            }

            int take = (int)Math.Min(count, _end - _start);
            _start += take;
            Position += take;
            count -= take;
        }
    }

    private bool Fill()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        _start = 0;
        _end = _stream.Read(_buffer, 0, _buffer.Length);
        return _end > 0;
    }
}
