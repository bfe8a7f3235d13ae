using System.Buffers.Binary;
using System.Text;
using ModelAudit.Engine.IO;

namespace ModelAudit.Engine.Formats.XGBoost;

/// <summary>Bounded reads over the model: every length is checked against what is left before anything is allocated.</summary>
internal sealed class XGBoostBinaryReader
{
    private readonly Stream _stream;
    private readonly long? _length;
    private readonly CancellationToken _cancellationToken;
    private long _position;

    public XGBoostBinaryReader(Stream stream, long? length, CancellationToken cancellationToken)
    {
        _stream = stream;
        _length = length;
        _cancellationToken = cancellationToken;
    }

    public long Remaining => _length is { } total ? total - _position : long.MaxValue;

    public void Fill(byte[] buffer, string what)
    {
        if (_stream.ReadAtMost(buffer) < buffer.Length)
        {
            throw new ModelFormatException($"the model ends inside a {what}", _position);
        }

        _position += buffer.Length;
    }

    public byte[] Bytes(int count, string what)
    {
        if (count > Remaining)
        {
            throw new ModelFormatException($"the model ends inside its {what}", _position);
        }

        byte[] data = new byte[count];
        Fill(data, what);
        return data;
    }

    public void Skip(long count)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (count > Remaining || _stream.Skip(count, _cancellationToken) < count)
        {
            throw new ModelFormatException($"the model ends {count:N0} bytes short of its declared layout", _position);
        }

        _position += count;
    }

    /// <summary>A uint64 element count whose elements take at least <paramref name="elementBytes"/> bytes each.</summary>
    public long Count(int elementBytes, string what, long max = long.MaxValue)
    {
        ulong count = BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8, what + " count"));
        if (count > (ulong)Math.Min(max, Remaining / elementBytes))
        {
            throw new ModelFormatException($"{count:N0} {what} declared, more than the {Remaining:N0} bytes left hold", _position);
        }

        return (long)count;
    }

    public string String(int max, string what)
    {
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8, what + " length"));
        if (length > (ulong)Math.Min(max, Remaining))
        {
            throw new ModelFormatException($"a {what} of {length:N0} bytes, past what is left or the {max:N0} read", _position);
        }

        return Encoding.UTF8.GetString(Bytes((int)length, what));
    }
}
