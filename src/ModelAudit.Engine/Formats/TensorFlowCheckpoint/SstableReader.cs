using System.Buffers.Binary;

namespace ModelAudit.Engine.Formats.TensorFlowCheckpoint;

/// <summary>
/// Reads the key/value pairs of a LevelDB-style table as TensorFlow writes them (tensorflow/core/lib/io: table,
/// block, format): a 48-byte footer ending in the table magic, holding the handles of the metaindex and index blocks;
/// the index block's values are the handles of the data blocks. A block is its entries (shared key prefix length,
/// unshared length, value length as varints, the unshared key bytes, the value), then the restart offsets and their
/// count, then a 5-byte trailer (compression type, masked CRC32C). Every length is checked against its block.
/// </summary>
internal static class SstableReader
{
    public const ulong TableMagic = 0xdb4775248b80fb57UL;

    // Footer: two BlockHandles padded to 2 × 20 bytes (two 10-byte varints each), then the 8-byte magic.
    public const int FooterLength = 48;

    // Compression byte and masked CRC32C after each block.
    private const int BlockTrailerLength = 5;

    // Keys are tensor names; TensorFlow's longest real ones are a few hundred bytes. Longer is not a checkpoint.
    private const int MaxKeyBytes = 64 << 10;

    /// <summary>True when <paramref name="tail"/> (the last bytes of a file) ends in the table magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> tail) =>
        tail.Length >= FooterLength && BinaryPrimitives.ReadUInt64LittleEndian(tail[^8..]) == TableMagic;

    /// <summary>Every key/value pair of the table in <paramref name="table"/>, in stored order.</summary>
    public static IEnumerable<(byte[] Key, byte[] Value)> Entries(byte[] table, int maxEntries)
    {
        if (!HasMagic(table))
        {
            throw new ModelFormatException("The checkpoint index does not end in the table magic; it is truncated or not an index.");
        }

        // The handles sit in the 40 bytes before the magic.
        int pos = table.Length - FooterLength;
        int handlesEnd = table.Length - 8;
        ReadHandle(table, ref pos, handlesEnd); // metaindex: TensorFlow writes it empty
        (long indexOffset, long indexSize) = ReadHandle(table, ref pos, handlesEnd);
        int entries = 0;
        foreach ((_, byte[] handle) in Block(table, indexOffset, indexSize))
        {
            int at = 0;
            (long offset, long size) = ReadHandle(handle, ref at, handle.Length);
            foreach ((byte[] key, byte[] value) in Block(table, offset, size))
            {
                if (++entries > maxEntries)
                {
                    throw new ScanLimitExceededException(nameof(Scanning.ScanLimits.MaxArchiveEntries), $"The checkpoint index holds more than {maxEntries:N0} entries.");
                }

                yield return (key, value);
            }
        }
    }

    private static (long Offset, long Size) ReadHandle(byte[] data, ref int pos, int end) =>
        (ReadOffset(data, ref pos, end), ReadOffset(data, ref pos, end));

    // A varint may carry 64 bits; an offset or size past long's range is no position in any file (and a checked cast
    // of it would throw OverflowException).
    private static long ReadOffset(byte[] data, ref int pos, int end)
    {
        ulong value = ReadVarint(data, ref pos, end);
        return value <= long.MaxValue ? (long)value : throw new ModelFormatException("A block handle in the checkpoint index is out of range.");
    }

    private static IEnumerable<(byte[] Key, byte[] Value)> Block(byte[] table, long offset, long size)
    {
        long dataEnd = table.Length - FooterLength;
        if (offset < 0 || size < 4 || offset > dataEnd || size > dataEnd - offset - BlockTrailerLength)
        {
            throw new ModelFormatException($"A block of the checkpoint index ({size:N0} bytes at {offset:N0}) lies outside the file.");
        }

        int start = (int)offset;
        int length = (int)size;
        if (table[start + length] != 0)
        {
            // TensorFlow's BundleWriter stores blocks uncompressed; a Snappy block is not something we decode.
            throw new ModelFormatException($"A block of the checkpoint index is compressed (type {table[start + length]}); only uncompressed blocks are read.");
        }

        int restarts = BinaryPrimitives.ReadInt32LittleEndian(table.AsSpan(start + length - 4));
        if (restarts < 0 || restarts > (length - 4) / 4)
        {
            throw new ModelFormatException("A block of the checkpoint index has an impossible restart count.");
        }

        int end = start + length - 4 - (4 * restarts);
        int pos = start;
        byte[] previous = Array.Empty<byte>();
        while (pos < end)
        {
            int shared = ReadLength(table, ref pos, end);
            int unshared = ReadLength(table, ref pos, end);
            int valueLength = ReadLength(table, ref pos, end);
            if (shared > previous.Length || unshared > end - pos || valueLength > end - pos - unshared || shared + unshared > MaxKeyBytes)
            {
                throw new ModelFormatException($"An entry of the checkpoint index at byte {pos:N0} does not fit its block.");
            }

            byte[] key = new byte[shared + unshared];
            previous.AsSpan(0, shared).CopyTo(key);
            table.AsSpan(pos, unshared).CopyTo(key.AsSpan(shared));
            pos += unshared;
            byte[] value = table.AsSpan(pos, valueLength).ToArray();
            pos += valueLength;
            previous = key;
            yield return (key, value);
        }
    }

    private static int ReadLength(byte[] data, ref int pos, int end)
    {
        ulong value = ReadVarint(data, ref pos, end);
        return value <= int.MaxValue ? (int)value : throw new ModelFormatException("A length in the checkpoint index is out of range.");
    }

    private static ulong ReadVarint(byte[] data, ref int pos, int end)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= end)
            {
                throw new ModelFormatException("The checkpoint index ends inside a varint.");
            }

            byte b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new ModelFormatException("A varint in the checkpoint index is longer than 10 bytes.");
    }
}
