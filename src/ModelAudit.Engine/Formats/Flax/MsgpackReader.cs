using System.Buffers.Binary;

namespace ModelAudit.Engine.Formats.Flax;

/// <summary>
/// A forward reader of MessagePack over a stream, buffered by itself (the source may be unbuffered), with an
/// absolute position. It reads markers, lengths and small payloads; large payloads are skipped by length, never
/// read. Truncation is a <see cref="ModelFormatException"/>.
/// </summary>
internal sealed class MsgpackReader
{
    private const int BufferSize = 1 << 16;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _bufferPosition;
    private int _bufferLength;
    private long _bufferStart;

    public MsgpackReader(Stream stream, long? length)
    {
        _stream = stream;
        Length = length;
    }

    /// <summary>Bytes consumed so far.</summary>
    public long Position => _bufferStart + _bufferPosition;

    /// <summary>Total length when known.</summary>
    public long? Length { get; }

    /// <summary>True when no byte is left.</summary>
    public bool AtEnd => !Fill(1);

    public byte ReadByte()
    {
        Need(1);
        return _buffer[_bufferPosition++];
    }

    public ulong ReadBigEndian(int bytes)
    {
        Need(bytes);
        ReadOnlySpan<byte> span = _buffer.AsSpan(_bufferPosition, bytes);
        _bufferPosition += bytes;
        return bytes switch
        {
            1 => span[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(span),
            4 => BinaryPrimitives.ReadUInt32BigEndian(span),
            _ => BinaryPrimitives.ReadUInt64BigEndian(span),
        };
    }

    /// <summary>Reads <paramref name="count"/> bytes (callers bound the count first).</summary>
    public byte[] ReadBytes(int count)
    {
        byte[] bytes = new byte[count];
        int done = 0;
        while (done < count)
        {
            if (!Fill(1))
            {
                throw new ModelFormatException($"The checkpoint ends inside a value at {Position:N0}.", Position);
            }

            int take = Math.Min(count - done, _bufferLength - _bufferPosition);
            Array.Copy(_buffer, _bufferPosition, bytes, done, take);
            _bufferPosition += take;
            done += take;
        }

        return bytes;
    }

    /// <summary>Skips <paramref name="count"/> bytes; throws when the content ends first.</summary>
    public void Skip(long count)
    {
        if (Length is { } total && count > total - Position)
        {
            throw new ModelFormatException($"A value of {count:N0} bytes at {Position:N0} runs past the end of the checkpoint.", Position);
        }

        int inBuffer = (int)Math.Min(count, _bufferLength - _bufferPosition);
        _bufferPosition += inBuffer;
        long rest = count - inBuffer;
        if (rest > 0)
        {
            long start = Position;
            long skipped = IO.StreamExtensions.Skip(_stream, rest);
            _bufferStart = start + skipped;
            _bufferPosition = 0;
            _bufferLength = 0;
            if (skipped < rest)
            {
                throw new ModelFormatException($"A value at {start:N0} runs past the end of the checkpoint.", start);
            }
        }
    }

    private void Need(int count)
    {
        if (!Fill(count))
        {
            throw new ModelFormatException($"The checkpoint ends inside a value at {Position:N0}.", Position);
        }
    }

    // Makes at least `count` (≤ 8) bytes available in the buffer; false when the content ends first.
    private bool Fill(int count)
    {
        if (_bufferLength - _bufferPosition >= count)
        {
            return true;
        }

        int kept = _bufferLength - _bufferPosition;
        Array.Copy(_buffer, _bufferPosition, _buffer, 0, kept);
        _bufferStart += _bufferPosition;
        _bufferPosition = 0;
        _bufferLength = kept;
        while (_bufferLength < count)
        {
            int read = _stream.Read(_buffer, _bufferLength, BufferSize - _bufferLength);
            if (read == 0)
            {
                return false;
            }

            _bufferLength += read;
        }

        return true;
    }
}
