using System.Buffers.Binary;
using System.Text;
using ModelAudit.Engine.IO;

namespace ModelAudit.Engine.Formats.Gguf;

/// <summary>
/// A forward-only, buffered little- or big-endian reader over a GGUF/GGML header that knows its offset and how many
/// bytes the content still has. Every length is checked against those remaining bytes before anything is read or
/// allocated, so a string length of 2^60 is a <see cref="ModelFormatException"/>, never an allocation.
/// </summary>
internal sealed class GgufReader
{
    // Header bytes are read in chunks of this size: enough for the small fields, little memory.
    private const int BufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly long? _length;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly CancellationToken _cancellationToken;
    private int _bufferStart;
    private int _bufferEnd;

    public GgufReader(Stream stream, long? length, CancellationToken cancellationToken)
    {
        _stream = stream;
        _length = length;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Offset of the next byte, from the first byte of the content.</summary>
    public long Offset { get; private set; }

    /// <summary>Bytes left in the content, or null when its length is unknown.</summary>
    public long? Remaining => _length is { } total ? total - Offset : null;

    public bool BigEndian { get; set; }

    public byte U8() => Take(1)[0];

    public uint U32() => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(Take(4)) : BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public int I32() => unchecked((int)U32());

    public ulong U64() => BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(Take(8)) : BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>Fails as an invalid header unless <paramref name="count"/> bytes are still there.</summary>
    public void Require(ulong count, string what)
    {
        if (Remaining is { } remaining && count > (ulong)Math.Max(0, remaining))
        {
            throw new GgufInvalidException($"{what} needs {count:N0} bytes but only {remaining:N0} remain", Offset, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Reads <paramref name="count"/> bytes as UTF-8 text, replacing invalid sequences (U+FFFD).</summary>
    public string Text(ulong count, string what)
    {
        Require(count, what);
        if (count > int.MaxValue)
        {
            throw new GgufInvalidException($"{what} of {count:N0} bytes is longer than any string a loader keeps", Offset);
        }

        byte[] bytes = new byte[count];
        Fill(bytes, what);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Moves past <paramref name="count"/> bytes without keeping them (by seek where the stream allows).</summary>
    public void Skip(ulong count, string what)
    {
        Require(count, what);
        ulong buffered = (ulong)(_bufferEnd - _bufferStart);
        if (count <= buffered)
        {
            _bufferStart += (int)count;
            Offset += (long)count;
            return;
        }

        if (count > long.MaxValue)
        {
            throw new GgufInvalidException($"{what} of {count:N0} bytes cannot be skipped", Offset);
        }

        long rest = (long)(count - buffered);
        _bufferStart = _bufferEnd = 0;
        Offset += (long)buffered;
        long skipped = _stream.Skip(rest, _cancellationToken);
        Offset += skipped;
        if (skipped < rest)
        {
            throw new ModelFormatException($"the file ends inside {what} (truncated)", Offset);
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_bufferEnd - _bufferStart < count)
        {
            Refill(count);
        }

        ReadOnlySpan<byte> span = _buffer.AsSpan(_bufferStart, count);
        _bufferStart += count;
        Offset += count;
        return span;
    }

    private void Refill(int needed)
    {
        int kept = _bufferEnd - _bufferStart;
        Buffer.BlockCopy(_buffer, _bufferStart, _buffer, 0, kept);
        _bufferStart = 0;
        _bufferEnd = kept;
        while (_bufferEnd < needed)
        {
            int read = _stream.Read(_buffer, _bufferEnd, _buffer.Length - _bufferEnd);
            if (read == 0)
            {
                throw new ModelFormatException("the file ends inside its header (truncated)", Offset + _bufferEnd);
            }

            _bufferEnd += read;
        }
    }

    private void Fill(byte[] target, string what)
    {
        int copied = Math.Min(target.Length, _bufferEnd - _bufferStart);
        Buffer.BlockCopy(_buffer, _bufferStart, target, 0, copied);
        _bufferStart += copied;
        Offset += copied;
        while (copied < target.Length)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            int read = _stream.Read(target, copied, target.Length - copied);
            if (read == 0)
            {
                throw new ModelFormatException($"the file ends inside {what} (truncated)", Offset);
            }

            copied += read;
            Offset += read;
        }
    }
}
