using System.Buffers.Binary;
using System.Text;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// The entries a zip's central directory gives, read the way each kind of loader reads it, and united: Python's
/// zipfile locates the directory by its size (end record minus size, so prepended data shifts every offset) and reads
/// records until the size is used up, ignoring the count; PyTorch's miniz reads the count of records at the recorded
/// offset. An end record that under-counts hides members from count-driven readers, one that lies about the offset
/// hides them from zipfile; every member any of them would open is scanned, and any disagreement is reported.
/// </summary>
internal sealed class ZipDirectory
{
    private const int CentralFixedSize = 46;

    private ZipDirectory(ZipEndRecord end, long baseShift, IReadOnlyList<ZipEntryInfo> entries)
    {
        End = end;
        BaseShift = baseShift;
        Entries = entries;
    }

    public ZipEndRecord End { get; }

    /// <summary>Bytes before the archive's first byte (self-extractors, polyglots), as zipfile infers them.</summary>
    public long BaseShift { get; }

    /// <summary>Where the directory starts (by its size): local entries lie before it.</summary>
    public long CentralStart => End.DirectoryStartBySize;

    /// <summary>Every entry some reading of the directory gives, in directory order, each local header once.</summary>
    public IReadOnlyList<ZipEntryInfo> Entries { get; }

    /// <summary>What the readings disagree about, for a finding; null when they agree.</summary>
    public string? Disagreement { get; private init; }

    /// <summary>Entries left unread because of <see cref="ScanLimits.MaxArchiveEntries"/>.</summary>
    public long EntriesOverBudget { get; private init; }

    /// <summary>A directory record that could not be parsed, where reading stopped; null when all parsed.</summary>
    public string? Damage { get; private init; }

    public static ZipDirectory Read(Stream stream, ZipEndRecord end, ScanLimits limits)
    {
        var entries = new List<ZipEntryInfo>();
        var byLocal = new HashSet<(long, string)>();
        int budget = limits.MaxArchiveEntries;
        long overBudget = 0;
        string? damage = null;

        void Add(List<ZipEntryInfo> found)
        {
            foreach (ZipEntryInfo entry in found)
            {
                if (!byLocal.Add((entry.LocalHeaderOffset, entry.Name)))
                {
                    continue;
                }

                if (entries.Count >= budget)
                {
                    overBudget++;
                    continue;
                }

                entries.Add(entry);
            }
        }

        // zipfile: records until the size is used up, from end-minus-size; offsets shifted by the inferred prefix.
        long bySizeStart = end.DirectoryStartBySize;
        long shift = bySizeStart - end.DirectoryOffset;
        var bySize = ReadRecords(stream, bySizeStart, end.DirectoryEnd, long.MaxValue, shift, ref damage, budget);
        Add(bySize);

        // A reader that trusts the count goes on past the size while records follow (up to the end record).
        var byCount = bySize.Count < end.TotalEntries
            ? ReadRecords(stream, bySizeStart, end.Offset, end.TotalEntries, shift, ref damage, budget)
            : bySize;
        Add(byCount);

        // miniz: the count of records at the recorded offset, local offsets as recorded (no prefix inference).
        List<ZipEntryInfo> byOffset = bySize;
        if (shift != 0 && ZipBytes.HasSignatureAt(stream, end.DirectoryOffset, ZipBytes.CentralSignature))
        {
            string? ignored = null;
            byOffset = ReadRecords(stream, end.DirectoryOffset, end.Offset, Math.Max(1, end.TotalEntries), 0, ref ignored, budget);
            Add(byOffset);
        }

        var disagreements = new List<string>();
        if (end.TotalEntries != bySize.Count)
        {
            disagreements.Add($"the end record counts {end.TotalEntries:N0} entries but its {end.DirectorySize:N0}-byte directory holds {bySize.Count:N0}");
        }

        if (end.DiskEntries != end.TotalEntries)
        {
            disagreements.Add($"the end record gives {end.DiskEntries:N0} entries on this disk and {end.TotalEntries:N0} in all");
        }

        if (byCount.Count > bySize.Count)
        {
            disagreements.Add($"{byCount.Count - bySize.Count:N0} directory records follow the directory's recorded size");
        }

        if (!ReferenceEquals(byOffset, bySize))
        {
            disagreements.Add($"the recorded directory offset {end.DirectoryOffset:N0} and the size-derived one {bySizeStart:N0} both hold a directory");
        }

        return new ZipDirectory(end, shift, entries)
        {
            Disagreement = disagreements.Count == 0 ? null : string.Join("; ", disagreements),
            EntriesOverBudget = overBudget,
            Damage = damage,
        };
    }

    // Central records from 'start', up to 'limit' bytes and 'count' records; stops (noting the damage) at a bad record.
    private static List<ZipEntryInfo> ReadRecords(Stream stream, long start, long limit, long count, long shift, ref string? damage, int budget)
    {
        var entries = new List<ZipEntryInfo>();
        long position = start;
        byte[] fixedPart = new byte[CentralFixedSize];
        while (entries.Count < count && entries.Count <= budget && position + CentralFixedSize <= limit)
        {
            if (!ZipBytes.HasSignatureAt(stream, position, ZipBytes.CentralSignature))
            {
                if (count == long.MaxValue)
                {
                    damage ??= $"no central directory record at offset {position:N0}, inside the directory";
                }

                break;
            }

            stream.Position = position;
            if (IO.StreamExtensions.ReadAtMost(stream, fixedPart) < CentralFixedSize)
            {
                damage ??= $"the central directory record at offset {position:N0} is truncated";
                break;
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
            int variableLength = nameLength + extraLength + commentLength;
            if (position + CentralFixedSize + variableLength > stream.Length)
            {
                damage ??= $"the central directory record at offset {position:N0} runs past the end of the file";
                break;
            }

            byte[] variable = ZipBytes.ReadAt(stream, position + CentralFixedSize, variableLength);
            string name = DecodeName(variable.AsSpan(0, nameLength), flags);
            ApplyZip64(variable.AsSpan(nameLength, extraLength), ref usize, ref csize, ref local);
            entries.Add(new ZipEntryInfo(name, flags, method, crc, csize, usize, ZipBytes.Offset(local, shift), external, true));
            position += CentralFixedSize + variableLength;
        }

        return entries;
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
                    usize = ToLong(BinaryPrimitives.ReadUInt64LittleEndian(data[p..]));
                    p += 8;
                }

                if (csize == 0xFFFFFFFF && p + 8 <= data.Length)
                {
                    csize = ToLong(BinaryPrimitives.ReadUInt64LittleEndian(data[p..]));
                    p += 8;
                }

                if (local == 0xFFFFFFFF && p + 8 <= data.Length)
                {
                    local = ToLong(BinaryPrimitives.ReadUInt64LittleEndian(data[p..]));
                }

                return;
            }

            i += 4 + length;
        }
    }

    // Zip64 values past long.MaxValue are as impossible as long.MaxValue: keep them saturated, never wrapped.
    private static long ToLong(ulong value) => (long)Math.Min(value, long.MaxValue);
}
