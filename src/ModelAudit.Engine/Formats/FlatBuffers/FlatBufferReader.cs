using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Formats.FlatBuffers;

/// <summary>
/// A bounded reader of one flatbuffer inside a seekable stream (TFLite models, CatBoost cores), read by offset
/// on demand so a multi-gigabyte model never comes into memory. Every offset is checked against the buffer's
/// region before it is followed; a violation is a <see cref="ModelFormatException"/>. Positions are absolute
/// stream positions.
/// </summary>
internal sealed class FlatBufferReader
{
    // One cached page: tables and vtables sit close together, and the source stream may be unbuffered.
    private const int PageSize = 4096;

    private readonly Stream _stream;
    private readonly byte[] _page = new byte[PageSize];
    private long _pageStart = -1;
    private int _pageLength;

    public FlatBufferReader(Stream stream, long start, long length)
    {
        _stream = stream;
        Start = start;
        End = checked(start + length);
    }

    /// <summary>First byte of the flatbuffer.</summary>
    public long Start { get; }

    /// <summary>One past its last byte.</summary>
    public long End { get; }

    /// <summary>The root table, from the offset at the buffer's start.</summary>
    public long Root() => Follow(Start, "root table");

    /// <summary>Position of field <paramref name="index"/> of the table at <paramref name="table"/>, or null when the
    /// field is absent.</summary>
    public long? Field(long table, int index)
    {
        long vtable = checked(table - ReadInt32(table));
        Require(vtable, 4, "vtable");
        int vtableSize = ReadUInt16(vtable);
        int tableSize = ReadUInt16(vtable + 2);
        if (vtableSize < 4 || vtableSize % 2 != 0)
        {
            throw new ModelFormatException($"The vtable at {vtable:N0} has an invalid size {vtableSize}.", vtable);
        }

        Require(vtable, vtableSize, "vtable");
        int slot = checked(4 + (2 * index));
        if (slot + 2 > vtableSize)
        {
            return null;
        }

        int offset = ReadUInt16(vtable + slot);
        if (offset == 0)
        {
            return null;
        }

        if (offset >= tableSize)
        {
            throw new ModelFormatException($"Field {index} of the table at {table:N0} lies outside the table.", table);
        }

        return table + offset;
    }

    /// <summary>Follows the uoffset stored at <paramref name="position"/> (a table, vector or string reference).</summary>
    public long Follow(long position, string what)
    {
        long target = checked(position + ReadUInt32(position));
        Require(target, 4, what);
        return target;
    }

    /// <summary>The referenced table, vector or string of field <paramref name="index"/>, or null when absent.</summary>
    public long? Reference(long table, int index, string what) => Field(table, index) is { } field ? Follow(field, what) : null;

    /// <summary>The element count of the vector at <paramref name="vector"/>, checked so that count × element size
    /// fits the buffer.</summary>
    public int VectorLength(long vector, int elementSize, string what)
    {
        uint count = ReadUInt32(vector);
        long bytes = checked((long)count * elementSize);
        Require(vector + 4, bytes, what);
        return (int)count;
    }

    /// <summary>The table referenced by element <paramref name="i"/> of a vector of tables.</summary>
    public long TableAt(long vector, int i, string what) => Follow(checked(vector + 4 + (4L * i)), what);

    /// <summary>The string at <paramref name="position"/>, read only when it is at most <paramref name="maxBytes"/>
    /// long (longer strings are cut there).</summary>
    public string String(long position, int maxBytes)
    {
        uint length = ReadUInt32(position);
        Require(position + 4, length, "string");
        int take = (int)Math.Min(length, (uint)maxBytes);
        return Encoding.UTF8.GetString(ReadBytes(position + 4, take));
    }

    public string? StringField(long table, int index, int maxBytes) =>
        Reference(table, index, "string") is { } s ? String(s, maxBytes) : null;

    public byte ReadByte(long position) => Read(position, 1)[0];

    public ushort ReadUInt16(long position) => BinaryPrimitives.ReadUInt16LittleEndian(Read(position, 2));

    public int ReadInt32(long position) => BinaryPrimitives.ReadInt32LittleEndian(Read(position, 4));

    public uint ReadUInt32(long position) => BinaryPrimitives.ReadUInt32LittleEndian(Read(position, 4));

    public ulong ReadUInt64(long position) => BinaryPrimitives.ReadUInt64LittleEndian(Read(position, 8));

    /// <summary>Reads <paramref name="count"/> bytes at <paramref name="position"/> into a new array.</summary>
    public byte[] ReadBytes(long position, int count)
    {
        Require(position, count, "bytes");
        byte[] bytes = new byte[count];
        _stream.Position = position;
        int done = 0;
        while (done < count)
        {
            int read = _stream.Read(bytes, done, count - done);
            if (read == 0)
            {
                throw new ModelFormatException($"The file ends inside a value at {position:N0}.", position);
            }

            done += read;
        }

        return bytes;
    }

    /// <summary>Throws unless [position, position + count) lies in the buffer.</summary>
    public void Require(long position, long count, string what)
    {
        if (position < Start || count < 0 || position > End || count > End - position)
        {
            throw new ModelFormatException($"The {what} at {position:N0} ({count:N0} bytes) lies outside the flatbuffer.", position);
        }
    }

    private ReadOnlySpan<byte> Read(long position, int count)
    {
        Require(position, count, "value");
        if (_pageStart < 0 || position < _pageStart || position + count > _pageStart + _pageLength)
        {
            _pageStart = position;
            _stream.Position = position;
            _pageLength = 0;
            int want = (int)Math.Min(PageSize, End - position);
            while (_pageLength < want)
            {
                int read = _stream.Read(_page, _pageLength, want - _pageLength);
                if (read == 0)
                {
                    break;
                }

                _pageLength += read;
            }

            if (_pageLength < count)
            {
                _pageStart = -1;
                throw new ModelFormatException($"The file ends inside a value at {position:N0}.", position);
            }
        }

        return _page.AsSpan((int)(position - _pageStart), count);
    }
}
