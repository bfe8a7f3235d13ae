using System.Buffers.Binary;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// Little-endian reads over bytes already taken from the file (a header chunk, a message body). Every read is checked
/// against the end of those bytes, so a field that claims more than its structure holds is a format error, and the
/// offset reported is the file address where the structure broke.
/// </summary>
internal sealed class Hdf5Cursor
{
    private readonly byte[] _bytes;
    private readonly int _start;
    private readonly int _end;

    public Hdf5Cursor(byte[] bytes, int start, int end, long fileAddress, int sizeOfOffsets, int sizeOfLengths)
    {
        _bytes = bytes;
        Position = start;
        _start = start;
        _end = end;
        FileAddressOfStart = fileAddress - start;
        SizeOfOffsets = sizeOfOffsets;
        SizeOfLengths = sizeOfLengths;
    }

    public int Position { get; private set; }

    public int Remaining => _end - Position;

    public int SizeOfOffsets { get; }

    /// <summary>The bytes read so far, from the cursor's start (what a structure's checksum covers).</summary>
    public ReadOnlySpan<byte> Consumed => new(_bytes, _start, Position - _start);

    public int SizeOfLengths { get; }

    /// <summary>The file address of the next byte.</summary>
    public long FileAddress => FileAddressOfStart + Position;

    private long FileAddressOfStart { get; }

    public byte U8() => Take(1)[0];

    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>An unsigned value of 1 to 8 bytes (offsets, lengths, and the variable-width fields of v2 headers).</summary>
    public ulong Unsigned(int size)
    {
        ReadOnlySpan<byte> bytes = Take(size);
        ulong value = 0;
        for (int i = size - 1; i >= 0; i--)
        {
            value = value << 8 | bytes[i];
        }

        return value;
    }

    public ulong Offset() => Unsigned(SizeOfOffsets);

    public ulong Length() => Unsigned(SizeOfLengths);

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new ModelFormatException($"an HDF5 structure needs {count:N0} more bytes where {Remaining:N0} remain", FileAddress);
        }

        var span = new ReadOnlySpan<byte>(_bytes, Position, count);
        Position += count;
        return span;
    }

    public void Skip(int count) => Take(count);

    /// <summary>A cursor over the next <paramref name="count"/> bytes, which this one steps past.</summary>
    public Hdf5Cursor Slice(int count)
    {
        long address = FileAddress;
        int start = Position;
        Skip(count);
        return new Hdf5Cursor(_bytes, start, start + count, address, SizeOfOffsets, SizeOfLengths);
    }

    /// <summary>Older structures (v1 object headers, v1 attribute fields) pad each part to a multiple of 8 bytes.</summary>
    public static int PaddedTo8(int length) => checked((length + 7) & ~7);
}
