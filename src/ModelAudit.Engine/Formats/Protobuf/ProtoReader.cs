using System.Text;
using ModelAudit.Engine.IO;

namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>
/// A forward-only protobuf wire reader over a stream, bounded at every step: each length is checked against the
/// enclosing message before anything is read or allocated, nested messages are windows on the same stream (never
/// copied), and long payloads (tensor data) are skipped by seeking. Unlike Google.Protobuf's CodedInputStream it has
/// no 2 GB ceiling: offsets are 64-bit, so models past protobuf's own size limit are walked in bounded memory.
/// </summary>
internal sealed class ProtoReader
{
    // Read in blocks so varints and tags do not cost one stream call per byte.
    private const int BufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly CancellationToken _cancellationToken;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly int _maxDepth;
    private int _bufferPosition;
    private int _bufferLength;
    private long _limit;

    public ProtoReader(Stream stream, long length, int maxDepth, CancellationToken cancellationToken)
    {
        _stream = stream;
        _limit = length;
        _maxDepth = maxDepth;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Offset of the next unread byte from the start of the content.</summary>
    public long Position { get; private set; }

    /// <summary>Bytes actually read from the stream (skipped payloads excluded).</summary>
    public long BytesRead { get; private set; }

    /// <summary>Field number of the last tag read by <see cref="Next"/>.</summary>
    public int Field { get; private set; }

    /// <summary>Wire type of the last tag read by <see cref="Next"/>.</summary>
    public ProtoWireType Wire { get; private set; }

    /// <summary>Offset of the last tag read.</summary>
    public long TagOffset { get; private set; }

    /// <summary>Current message nesting depth.</summary>
    public int Depth { get; private set; }

    /// <summary>Bytes left in the current message.</summary>
    public long Remaining => _limit - Position;

    /// <summary>Reads the next tag of the current message; false at its end.</summary>
    public bool Next()
    {
        if (Position >= _limit)
        {
            return false;
        }

        // Content of unknown length (a streamed member) ends where the stream ends, between two top-level fields.
        if (Depth == 0 && _bufferPosition == _bufferLength && !TryFill())
        {
            return false;
        }

        TagOffset = Position;
        ulong tag = ReadVarint();
        ulong field = tag >> 3;
        int wire = (int)(tag & 7);
        // 2^29 - 1 is the largest field number protobuf allows; wire types 6 and 7 do not exist.
        if (field == 0 || field > 536_870_911 || wire is 6 or 7 or 3 or 4)
        {
            throw new ModelFormatException($"Invalid protobuf tag (field {field}, wire type {wire}).", TagOffset);
        }

        Field = (int)field;
        Wire = (ProtoWireType)wire;
        return true;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            byte b = ReadByte();
            if (shift == 63 && b > 1)
            {
                throw new ModelFormatException("A protobuf varint overflows 64 bits.", Position - 1);
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new ModelFormatException("A protobuf varint is longer than 10 bytes.", Position);
    }

    /// <summary>The value of a varint field, as protobuf's int64 (two's complement).</summary>
    public long ReadInt64() => unchecked((long)ReadVarint());

    /// <summary>Reads a length prefix and checks it against the current message.</summary>
    public long ReadLength()
    {
        long at = Position;
        ulong length = ReadVarint();
        if (length > (ulong)Remaining)
        {
            throw new ModelFormatException($"A protobuf length of {length:N0} bytes runs past the end of its message ({Remaining:N0} bytes left).", at);
        }

        return (long)length;
    }

    /// <summary>Reads a length-delimited field as UTF-8, keeping at most <paramref name="maxBytes"/> bytes of it (the
    /// rest is skipped); <paramref name="truncated"/> says whether anything was dropped.</summary>
    public string ReadString(int maxBytes, out bool truncated)
    {
        long length = ReadLength();
        int kept = (int)Math.Min(length, maxBytes);
        byte[] bytes = new byte[kept];
        ReadExactly(bytes);
        truncated = kept < length;
        if (truncated)
        {
            SkipBytes(length - kept);
        }

        return Encoding.UTF8.GetString(bytes);
    }

    public string ReadString(int maxBytes) => ReadString(maxBytes, out _);

    /// <summary>Enters the length-delimited field just read as a message; returns the token <see cref="EndMessage"/> needs.</summary>
    public long BeginMessage()
    {
        long length = ReadLength();
        if (Depth >= _maxDepth)
        {
            throw new ScanLimitExceededException("MaxProtobufNesting", $"Protobuf messages nest deeper than {_maxDepth} levels.", Position);
        }

        Depth++;
        long outer = _limit;
        _limit = Position + length;
        return outer;
    }

    /// <summary>Skips what is left of the current message and returns to the enclosing one.</summary>
    public void EndMessage(long token)
    {
        SkipBytes(_limit - Position);
        _limit = token;
        Depth--;
    }

    /// <summary>Runs <paramref name="body"/> over the embedded message just read, then skips what it left.</summary>
    public void InMessage(Action body)
    {
        long token = BeginMessage();
        body();
        EndMessage(token);
    }

    /// <summary>Skips the value of the field just read; returns the offset and length of its payload.</summary>
    public (long Offset, long Length) SkipField()
    {
        switch (Wire)
        {
            case ProtoWireType.Varint:
                long start = Position;
                ReadVarint();
                return (start, Position - start);
            case ProtoWireType.Fixed64:
                return SkipFixed(8);
            case ProtoWireType.Fixed32:
                return SkipFixed(4);
            default:
                long length = ReadLength();
                long offset = Position;
                SkipBytes(length);
                return (offset, length);
        }
    }

    private (long, long) SkipFixed(int size)
    {
        if (Remaining < size)
        {
            throw new ModelFormatException("A fixed-size protobuf field runs past the end of its message.", Position);
        }

        long offset = Position;
        SkipBytes(size);
        return (offset, size);
    }

    private void SkipBytes(long count)
    {
        int buffered = _bufferLength - _bufferPosition;
        if (count <= buffered)
        {
            _bufferPosition += (int)count;
            Position += count;
            return;
        }

        long rest = count - buffered;
        Position += buffered;
        _bufferPosition = _bufferLength = 0;
        long skipped = _stream.Skip(rest, _cancellationToken);
        Position += skipped;
        if (skipped < rest)
        {
            throw new ModelFormatException("The protobuf data ends early (truncated).", Position);
        }
    }

    private void ReadExactly(Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            if (_bufferPosition == _bufferLength)
            {
                Fill();
            }

            int n = Math.Min(destination.Length, _bufferLength - _bufferPosition);
            _buffer.AsSpan(_bufferPosition, n).CopyTo(destination);
            _bufferPosition += n;
            Position += n;
            destination = destination[n..];
        }
    }

    private byte ReadByte()
    {
        if (Position >= _limit)
        {
            throw new ModelFormatException("A protobuf value runs past the end of its message.", Position);
        }

        if (_bufferPosition == _bufferLength)
        {
            Fill();
        }

        Position++;
        return _buffer[_bufferPosition++];
    }

    private void Fill()
    {
        if (!TryFill())
        {
            throw new ModelFormatException("The protobuf data ends early (truncated).", Position);
        }
    }

    private bool TryFill()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        int n = _stream.ReadAtMost(_buffer);
        BytesRead += n;
        _bufferPosition = 0;
        _bufferLength = n;
        return n > 0;
    }
}
