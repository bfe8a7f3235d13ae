using System.Buffers.Binary;
using System.Text;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// Reads a zip's end record (zip64 included) and central directory from a seekable stream. The shift between
/// where the directory says it is and where it really is measures data prepended to the archive.
/// </summary>
internal sealed class ZipDirectory
{
    private const int EndRecordSize = 22;

    private ZipDirectory(long baseShift, long centralStart, IReadOnlyList<ZipEntryInfo> entries, long endRecordOffset)
    {
        BaseShift = baseShift;
        CentralStart = centralStart;
        Entries = entries;
        EndRecordOffset = endRecordOffset;
    }

    /// <summary>Bytes before the archive's first byte (self-extractors, polyglots).</summary>
    public long BaseShift { get; }

    /// <summary>Absolute offset of the central directory.</summary>
    public long CentralStart { get; }

    public IReadOnlyList<ZipEntryInfo> Entries { get; }

    /// <summary>Absolute offset of the end-of-central-directory record.</summary>
    public long EndRecordOffset { get; }

    /// <summary>Entries the end record declares; more than <see cref="Entries"/> holds when the entry budget ran out.</summary>
    public long DeclaredEntries { get; private init; }

    /// <summary>Where the archive ends: after the end record and its comment.</summary>
    public long EndOfArchive { get; private init; }

    /// <summary>Finds the end record near the end of <paramref name="stream"/>; null when there is none.</summary>
    public static long? FindEndRecord(Stream stream)
    {
        long length = stream.Length;
        int tailLength = (int)Math.Min(length, 0xFFFF + EndRecordSize);
        if (tailLength < EndRecordSize)
        {
            return null;
        }

        byte[] tail = new byte[tailLength];
        stream.Position = length - tailLength;
        stream.ReadAtMost(tail);
        for (int i = tailLength - EndRecordSize; i >= 0; i--)
        {
            if (tail[i] == 'P' && tail[i + 1] == 'K' && tail[i + 2] == 5 && tail[i + 3] == 6)
            {
                int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20));
                long at = length - tailLength + i;
                if (at + EndRecordSize + commentLength <= length && CentralDirectoryIsThere(stream, at, tail.AsSpan(i)))
                {
                    return at;
                }
            }
        }

        return null;
    }

    private static bool CentralDirectoryIsThere(Stream stream, long endRecord, ReadOnlySpan<byte> record)
    {
        try
        {
            var (directoryEnd, total, size, _) = ReadEnd(stream, endRecord);
            if (total == 0)
            {
                return true;
            }

            long start = directoryEnd - size;
            if (start < 0)
            {
                return false;
            }

            Span<byte> sig = stackalloc byte[4];
            stream.Position = start;
            return stream.ReadAtMost(sig) == 4 && sig.SequenceEqual("PK\x01\x02"u8);
        }
        catch (ModelFormatException)
        {
            return false;
        }
    }

    // The end record, and the zip64 end record when a locator precedes it (PyTorch always writes one).
    private static (long DirectoryEnd, long Total, long Size, long Offset) ReadEnd(Stream stream, long endRecord)
    {
        byte[] record = ReadAt(stream, endRecord, EndRecordSize);
        long total = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(10));
        long size = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(12));
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(16));
        long directoryEnd = endRecord;
        if (endRecord >= 20 + 56 && ReadAt(stream, endRecord - 20, 4).AsSpan().SequenceEqual("PK\x06\x07"u8))
        {
            long z64At = endRecord - 20 - 56;
            byte[] z = ReadAt(stream, z64At, 56);
            if (z.AsSpan().StartsWith("PK\x06\x06"u8))
            {
                directoryEnd = z64At;
                if (total == 0xFFFF)
                {
                    total = (long)BinaryPrimitives.ReadUInt64LittleEndian(z.AsSpan(32));
                }

                if (size == 0xFFFFFFFF)
                {
                    size = (long)BinaryPrimitives.ReadUInt64LittleEndian(z.AsSpan(40));
                }

                if (offset == 0xFFFFFFFF)
                {
                    offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(z.AsSpan(48));
                }
            }
        }

        return (directoryEnd, total, size, offset);
    }

    public static ZipDirectory Read(Stream stream, long endRecord, ScanContext context)
    {
        var (directoryEnd, total, size, offset) = ReadEnd(stream, endRecord);
        long centralStart = directoryEnd - size;
        long shift = centralStart - offset;
        if (centralStart < 0 || shift < 0)
        {
            throw new ModelFormatException("the zip end record points outside the file", endRecord);
        }

        // Over the entry budget, the first entries are still read and scanned; the rest are reported, not dropped silently.
        long readable = Math.Min(total, context.Limits.MaxArchiveEntries);
        var entries = new List<ZipEntryInfo>((int)Math.Min(readable, 1 << 16));
        stream.Position = centralStart;
        byte[] fixedPart = new byte[46];
        for (long i = 0; i < readable; i++)
        {
            if (stream.ReadAtMost(fixedPart) < 46 || !fixedPart.AsSpan().StartsWith("PK\x01\x02"u8))
            {
                throw new ModelFormatException($"central directory entry {i} is missing or truncated", stream.Position);
            }

            var f = fixedPart.AsSpan();
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(f[8..]);
            ushort method = BinaryPrimitives.ReadUInt16LittleEndian(f[10..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(f[16..]);
            long csize = BinaryPrimitives.ReadUInt32LittleEndian(f[20..]);
            long usize = BinaryPrimitives.ReadUInt32LittleEndian(f[24..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(f[28..]);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(f[30..]);
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(f[32..]);
            uint external = BinaryPrimitives.ReadUInt32LittleEndian(f[38..]);
            long local = BinaryPrimitives.ReadUInt32LittleEndian(f[42..]);
            byte[] variable = new byte[nameLength + extraLength + commentLength];
            if (stream.ReadAtMost(variable) < variable.Length)
            {
                throw new ModelFormatException($"central directory entry {i} is truncated", stream.Position);
            }

            string name = DecodeName(variable.AsSpan(0, nameLength), flags);
            ApplyZip64(variable.AsSpan(nameLength, extraLength), ref usize, ref csize, ref local);
            entries.Add(new ZipEntryInfo(name, flags, method, crc, csize, usize, local + shift, external, true));
        }

        int endComment = BinaryPrimitives.ReadUInt16LittleEndian(ReadAt(stream, endRecord + 20, 2));
        return new ZipDirectory(shift, centralStart, entries, endRecord)
        {
            EndOfArchive = endRecord + EndRecordSize + endComment,
            DeclaredEntries = total,
        };
    }

    internal static string DecodeName(ReadOnlySpan<byte> raw, ushort flags) =>
        (flags & 0x0800) != 0 ? Encoding.UTF8.GetString(raw) : Encoding.Latin1.GetString(raw);

    // The zip64 extra field (0x0001) carries, in order, each 32-bit field that was set to 0xFFFFFFFF.
    internal static void ApplyZip64(ReadOnlySpan<byte> extra, ref long usize, ref long csize, ref long local)
    {
        int i = 0;
        while (i + 4 <= extra.Length)
        {
            ushort id = BinaryPrimitives.ReadUInt16LittleEndian(extra[i..]);
            ushort length = BinaryPrimitives.ReadUInt16LittleEndian(extra[(i + 2)..]);
            if (id == 0x0001 && i + 4 + length <= extra.Length)
            {
                var data = extra.Slice(i + 4, length);
                int p = 0;
                if (usize == 0xFFFFFFFF && p + 8 <= data.Length)
                {
                    usize = (long)BinaryPrimitives.ReadUInt64LittleEndian(data[p..]);
                    p += 8;
                }

                if (csize == 0xFFFFFFFF && p + 8 <= data.Length)
                {
                    csize = (long)BinaryPrimitives.ReadUInt64LittleEndian(data[p..]);
                    p += 8;
                }

                if (local == 0xFFFFFFFF && p + 8 <= data.Length)
                {
                    local = (long)BinaryPrimitives.ReadUInt64LittleEndian(data[p..]);
                }

                return;
            }

            i += 4 + length;
        }
    }

    internal static byte[] ReadAt(Stream stream, long offset, int count)
    {
        byte[] buffer = new byte[count];
        stream.Position = offset;
        if (stream.ReadAtMost(buffer) < count)
        {
            throw new ModelFormatException("zip structure runs past the end of the file", offset);
        }

        return buffer;
    }
}
