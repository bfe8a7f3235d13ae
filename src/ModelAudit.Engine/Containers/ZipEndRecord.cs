using System.Buffers.Binary;
using ModelAudit.Engine.IO;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// A zip's end-of-central-directory record, with the zip64 end record's values when a locator precedes it (PyTorch
/// always writes one). Both the entry counts and the directory size are kept: readers disagree about which to trust.
/// </summary>
internal sealed record ZipEndRecord(long Offset, long DiskEntries, long TotalEntries, long DirectorySize, long DirectoryOffset,
    long DirectoryEnd, int CommentLength)
{
    public const int Size = 22;

    /// <summary>Where the archive ends: after the end record and its comment.</summary>
    public long EndOfArchive => Offset + Size + CommentLength;

    /// <summary>Where the directory starts by its size, as Python's zipfile locates it (end minus size).</summary>
    public long DirectoryStartBySize => DirectoryEnd - DirectorySize;

    /// <summary>Finds the last end record near the end of <paramref name="stream"/> whose directory is really there
    /// (both zipfile and PyTorch's miniz search backwards from the end); null when there is none.</summary>
    public static ZipEndRecord? Find(Stream stream)
    {
        long length = stream.Length;
        int tailLength = (int)Math.Min(length, 0xFFFF + Size);
        if (tailLength < Size)
        {
            return null;
        }

        byte[] tail = new byte[tailLength];
        stream.Position = length - tailLength;
        stream.ReadAtMost(tail);
        for (int i = tailLength - Size; i >= 0; i--)
        {
            if (tail[i] == 'P' && tail[i + 1] == 'K' && tail[i + 2] == 5 && tail[i + 3] == 6)
            {
                int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20));
                long at = length - tailLength + i;
                if (at + Size + commentLength <= length && TryRead(stream, at) is { } record && record.DirectoryIsThere(stream))
                {
                    return record;
                }
            }
        }

        return null;
    }

    /// <summary>Reads the end record at <paramref name="offset"/>; null when its fields are impossible.</summary>
    public static ZipEndRecord? TryRead(Stream stream, long offset)
    {
        if (offset < 0 || offset + Size > stream.Length)
        {
            return null;
        }

        byte[] record = ZipBytes.ReadAt(stream, offset, Size);
        long disk = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(8));
        long total = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(10));
        long size = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(12));
        long directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(16));
        int comment = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(20));
        long directoryEnd = offset;

        // zip64: a locator (20 bytes) right before the end record, pointing at the zip64 end record (56+ bytes).
        if (offset >= 20 + 56 && ZipBytes.ReadAt(stream, offset - 20, 4).AsSpan().SequenceEqual("PK\x06\x07"u8))
        {
            long z64At = offset - 20 - 56;
            byte[] z = ZipBytes.ReadAt(stream, z64At, 56);
            if (z.AsSpan().StartsWith("PK\x06\x06"u8))
            {
                directoryEnd = z64At;
                disk = disk == 0xFFFF ? ToLong(BinaryPrimitives.ReadUInt64LittleEndian(z.AsSpan(24))) : disk;
                total = total == 0xFFFF ? ToLong(BinaryPrimitives.ReadUInt64LittleEndian(z.AsSpan(32))) : total;
                size = size == 0xFFFFFFFF ? ToLong(BinaryPrimitives.ReadUInt64LittleEndian(z.AsSpan(40))) : size;
                directoryOffset = directoryOffset == 0xFFFFFFFF ? ToLong(BinaryPrimitives.ReadUInt64LittleEndian(z.AsSpan(48))) : directoryOffset;
            }
        }

        return size > directoryEnd ? null : new ZipEndRecord(offset, disk, total, size, directoryOffset, directoryEnd, comment);
    }

    // An empty archive has no directory; otherwise a central header must start where the size or the offset says.
    private bool DirectoryIsThere(Stream stream) =>
        (TotalEntries == 0 && DirectorySize == 0) || ZipBytes.HasSignatureAt(stream, DirectoryStartBySize, ZipBytes.CentralSignature)
        || ZipBytes.HasSignatureAt(stream, DirectoryOffset, ZipBytes.CentralSignature);

    // Zip64 fields are unsigned 64-bit; anything past long.MaxValue is as impossible as long.MaxValue itself.
    private static long ToLong(ulong value) => (long)Math.Min(value, long.MaxValue);
}
