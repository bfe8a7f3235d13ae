using System.Buffers.Binary;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Torch7;

/// <summary>
/// The binary encoding of Torch7's File class as torch.save writes it: little-endian 4-byte ints, 8-byte doubles and
/// longs, raw bytes, read front to back through a small buffer. Payloads (storages) are skipped by length.
/// </summary>
internal sealed class Torch7Reader
{
    private const int BufferSize = 64 << 10;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly CancellationToken _cancellationToken;
    private int _start;
    private int _end;

    public Torch7Reader(Stream stream, CancellationToken cancellationToken)
    {
        _stream = stream;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Offset of the next byte in the stream.</summary>
    public long Position { get; private set; }

    public int Int()
    {
        Span<byte> bytes = stackalloc byte[4];
        Read(bytes);
        return BinaryPrimitives.ReadInt32LittleEndian(bytes);
    }

    public long Long()
    {
        Span<byte> bytes = stackalloc byte[8];
        Read(bytes);
        return BinaryPrimitives.ReadInt64LittleEndian(bytes);
    }

    /// <summary>Reads <paramref name="length"/> bytes and keeps the first <paramref name="keep"/>.</summary>
    public byte[] Bytes(long length, int keep)
    {
        if (length < 0)
        {
            throw new ModelFormatException($"a Torch7 string of {length} bytes", Position);
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

    private void Read(Span<byte> destination)
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

    private bool Fill()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        _start = 0;
        _end = _stream.Read(_buffer, 0, _buffer.Length);
        return _end > 0;
    }
}
