using System.Buffers.Binary;
using System.Numerics;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// The checksum of the newer HDF5 structures (fractal heap and v2 B-tree headers and nodes): Bob Jenkins' lookup3
/// hash of the bytes before it, with an initial value of 0. The library refuses a structure whose checksum does not
/// match (the file fails to open), so a mismatch is a malformed file, reported as one.
/// </summary>
internal static class Hdf5Checksum
{
    /// <summary>Reads the 4-byte checksum at the cursor and compares it with the hash of what the cursor has read
    /// so far.</summary>
    public static void Verify(Hdf5Cursor cursor, string what)
    {
        ReadOnlySpan<byte> covered = cursor.Consumed;
        long at = cursor.FileAddress;
        uint stored = cursor.U32();
        uint computed = Lookup3(covered);
        if (stored != computed)
        {
            throw new ModelFormatException($"the HDF5 {what} has checksum 0x{stored:X8} where its bytes give 0x{computed:X8}: the library refuses it", at);
        }
    }

    /// <summary>lookup3's hashlittle over bytes: 12-byte blocks mixed in, the last 1 to 12 bytes finalised.
    /// The hash wraps by design: its arithmetic is unchecked in this checked build.</summary>
    public static uint Lookup3(ReadOnlySpan<byte> key)
    {
        uint a = unchecked(0xDEADBEEF + (uint)key.Length);
        uint b = a;
        uint c = a;
        while (key.Length > 12)
        {
            a = unchecked(a + BinaryPrimitives.ReadUInt32LittleEndian(key));
            b = unchecked(b + BinaryPrimitives.ReadUInt32LittleEndian(key[4..]));
            c = unchecked(c + BinaryPrimitives.ReadUInt32LittleEndian(key[8..]));
            Mix(ref a, ref b, ref c);
            key = key[12..];
        }

        if (key.IsEmpty)
        {
            return c;
        }

        // The last block, zero-padded to 12 bytes, is added as three little-endian words.
        Span<byte> tail = stackalloc byte[12];
        tail.Clear();
        key.CopyTo(tail);
        a = unchecked(a + BinaryPrimitives.ReadUInt32LittleEndian(tail));
        b = unchecked(b + BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]));
        c = unchecked(c + BinaryPrimitives.ReadUInt32LittleEndian(tail[8..]));
        Final(ref a, ref b, ref c);
        return c;
    }

    private static void Mix(ref uint a, ref uint b, ref uint c)
    {
        unchecked
        {
            a -= c; a ^= BitOperations.RotateLeft(c, 4); c += b;
            b -= a; b ^= BitOperations.RotateLeft(a, 6); a += c;
            c -= b; c ^= BitOperations.RotateLeft(b, 8); b += a;
            a -= c; a ^= BitOperations.RotateLeft(c, 16); c += b;
            b -= a; b ^= BitOperations.RotateLeft(a, 19); a += c;
            c -= b; c ^= BitOperations.RotateLeft(b, 4); b += a;
        }
    }

    private static void Final(ref uint a, ref uint b, ref uint c)
    {
        unchecked
        {
            c ^= b; c -= BitOperations.RotateLeft(b, 14);
            a ^= c; a -= BitOperations.RotateLeft(c, 11);
            b ^= a; b -= BitOperations.RotateLeft(a, 25);
            c ^= b; c -= BitOperations.RotateLeft(b, 16);
            a ^= c; a -= BitOperations.RotateLeft(c, 4);
            b ^= a; b -= BitOperations.RotateLeft(a, 14);
            c ^= b; c -= BitOperations.RotateLeft(b, 24);
        }
    }
}
