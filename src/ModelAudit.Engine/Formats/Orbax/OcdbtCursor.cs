namespace ModelAudit.Engine.Formats.Orbax;

/// <summary>
/// Reads the fields of a decoded OCDBT body: LEB128 varints, bytes and little-endian integers, each checked against
/// what remains, so a count or length in the body is never trusted before it is compared with the bytes there.
/// </summary>
internal sealed class OcdbtCursor
{
    private readonly byte[] _data;
    private readonly long _baseOffset;
    private readonly bool _exactOffsets;
    private int _position;

    /// <param name="data">The bytes to read.</param>
    /// <param name="baseOffset">The offset reported for byte 0 (the envelope's place in its file; for a decoded
    /// body, the offset of the compressed body).</param>
    /// <param name="exactOffsets">False for a decompressed body: its positions are not file offsets, so every
    /// offset is <paramref name="baseOffset"/>.</param>
    public OcdbtCursor(byte[] data, long baseOffset, bool exactOffsets = true)
    {
        _data = data;
        _baseOffset = baseOffset;
        _exactOffsets = exactOffsets;
    }

    /// <summary>Where the next field starts, as an offset for findings.</summary>
    public long Offset => _exactOffsets ? _baseOffset + _position : _baseOffset;

    public int Remaining => _data.Length - _position;

    public bool AtEnd => _position == _data.Length;

    public byte Byte()
    {
        Need(1, "a byte");
        return _data[_position++];
    }

    public ulong Varint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = Byte();
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new ModelFormatException("A varint runs past 64 bits.", Offset);
    }

    public ulong UInt64()
    {
        Need(8, "a uint64");
        ulong value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(_data.AsSpan(_position));
        _position += 8;
        return value;
    }

    /// <summary>Reads a count (a varint) of items that each take at least <paramref name="minimumBytes"/> bytes: one
    /// beyond what remains is a lie told to make a parser allocate, reported where the count starts.</summary>
    public int Count(int minimumBytes, string what)
    {
        long at = Offset;
        ulong count = Varint();
        if (count > (ulong)(Remaining / Math.Max(1, minimumBytes)))
        {
            throw new ModelFormatException($"{what} claims {count:N0} entries with {Remaining:N0} bytes left.", at);
        }

        return (int)count;
    }

    /// <summary>A length that must fit in what remains.</summary>
    public int Length(ulong length, string what)
    {
        if (length > (ulong)Remaining)
        {
            throw new ModelFormatException($"{what} is {length:N0} bytes with {Remaining:N0} left.", Offset);
        }

        return (int)length;
    }

    public ReadOnlySpan<byte> Bytes(int count)
    {
        Need(count, $"{count:N0} bytes");
        ReadOnlySpan<byte> span = _data.AsSpan(_position, count);
        _position += count;
        return span;
    }

    public void Skip(int count) => Bytes(count);

    public byte[] Rest() => Bytes(Remaining).ToArray();

    private void Need(int count, string what)
    {
        if (count > Remaining)
        {
            throw new ModelFormatException($"The body ends before {what} at {Offset:N0}.", Offset);
        }
    }
}
