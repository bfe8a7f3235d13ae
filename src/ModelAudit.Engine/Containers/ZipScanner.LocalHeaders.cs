using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// The second reading of a zip: local headers, as streaming readers find them. Every byte between the directory's
/// entries is accounted for: local headers found there by signature search (not only where the previous entry ends,
/// so junk between entries does not end the walk) are hidden entries and are scanned; bytes that belong to no entry
/// are reported.
/// </summary>
internal sealed partial class ZipScanner
{
    private const int SearchChunk = 1 << 16;

    // known: the directory's entries; empty when there is no directory, and then bytes that belong to no local entry
    // are the damage already reported, not a finding of their own.
    private void WalkLocalHeaders(Stream stream, long start, long end, IReadOnlyList<ZipEntryInfo> known, ScanContext context, Flavour flavour)
    {
        // The extents the directory accounts for: each listed entry's header and data (and data descriptor).
        var extents = new List<(long Start, long End)>();
        foreach (ZipEntryInfo entry in known)
        {
            if (ZipLocalHeader.TryRead(stream, entry.LocalHeaderOffset) is { } header)
            {
                long dataEnd = ZipBytes.Offset(header.DataOffset, entry.CompressedSize);
                extents.Add((entry.LocalHeaderOffset, ZipBytes.Offset(dataEnd, header.HasDataDescriptor ? DescriptorLength(stream, dataEnd) : 0)));
            }
        }

        extents.Sort();
        long unaccounted = 0;
        long firstUnaccounted = -1;
        long position = start;
        foreach (var (extentStart, extentEnd) in extents.Append((end, end)))
        {
            if (extentStart > position)
            {
                long gapEnd = Math.Min(extentStart, end);
                WalkGap(stream, position, gapEnd, context, flavour, ref unaccounted, ref firstUnaccounted);
            }

            position = Math.Max(position, extentEnd);
            if (position >= end)
            {
                break;
            }
        }

        if (unaccounted > 0 && known.Count > 0)
        {
            context.Report(RuleIds.ZipUnaccountedBytes,
                $"{unaccounted:N0} bytes between the zip's entries belong to no entry (first at offset {firstUnaccounted:N0}).", firstUnaccounted, "unaccounted bytes");
        }
    }

    // A gap between accounted extents: each local header found in it is a hidden entry; other bytes are unaccounted.
    private void WalkGap(Stream stream, long start, long end, ScanContext context, Flavour flavour, ref long unaccounted, ref long firstUnaccounted)
    {
        long position = start;
        int hidden = 0;
        while (position < end)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            long signature = FindSignature(stream, position, end, ZipBytes.LocalSignature);
            long junkEnd = signature < 0 ? end : signature;
            if (junkEnd > position)
            {
                unaccounted += junkEnd - position;
                firstUnaccounted = firstUnaccounted < 0 ? position : firstUnaccounted;
            }

            if (signature < 0)
            {
                return;
            }

            ZipLocalHeader? header = ZipLocalHeader.TryRead(stream, signature);
            if (header is null || header.Name.Length == 0)
            {
                // Four bytes that look like a signature but start no readable header: junk too.
                unaccounted += Math.Min(4, end - signature);
                firstUnaccounted = firstUnaccounted < 0 ? signature : firstUnaccounted;
                position = signature + 4;
                continue;
            }

            if (++hidden > context.Limits.MaxArchiveEntries)
            {
                context.ReportInconclusive(RuleIds.LimitExceeded,
                    $"More than {context.Limits.MaxArchiveEntries:N0} local entries outside the central directory; the rest were not scanned.", signature,
                    nameof(ScanLimits.MaxArchiveEntries));
                return;
            }

            // Streamed entries record no size: their data runs to the next zip structure.
            long size = header.HasDataDescriptor && header.CompressedSize == 0
                ? Math.Max(0, NextStructure(stream, header.DataOffset, end) - header.DataOffset)
                : Math.Min(header.CompressedSize, Math.Max(0, end - header.DataOffset));
            var entry = new ZipEntryInfo(header.Name, header.Flags, header.Method, header.Crc, size, header.UncompressedSize, signature, 0, false);
            context.Report(RuleIds.ArchiveHiddenEntry,
                $"Local entry '{entry.Name}' at offset {signature:N0} is not in the central directory: directory-driven readers never see it.", signature, entry.Name);
            context.Guarded($"Zip entry '{entry.Name}'", () => ScanEntry(stream, entry, context, flavour, inspection: null, tensorTables: null));
            long dataEnd = ZipBytes.Offset(header.DataOffset, size);
            position = Math.Max(signature + 4, ZipBytes.Offset(dataEnd, header.HasDataDescriptor ? DescriptorLength(stream, dataEnd) : 0));
        }
    }

    private static long NextStructure(Stream stream, long from, long end)
    {
        long next = end;
        foreach (byte[] signature in new[] { ZipBytes.LocalSignature.ToArray(), ZipBytes.CentralSignature.ToArray(), ZipBytes.DescriptorSignature.ToArray() })
        {
            long at = FindSignature(stream, from, next, signature);
            if (at >= 0)
            {
                next = at;
            }
        }

        return next;
    }

    // The first offset in [from, end) where the 4-byte signature starts, or -1; read in chunks, bounded memory.
    private static long FindSignature(Stream stream, long from, long end, ReadOnlySpan<byte> signature)
    {
        byte[] buffer = new byte[SearchChunk + 3];
        long position = from;
        while (position < end)
        {
            int want = (int)Math.Min(buffer.Length, end - position);
            stream.Position = position;
            int read = IO.StreamExtensions.ReadAtMost(stream, buffer.AsSpan(0, want));
            if (read < 4)
            {
                return -1;
            }

            int at = buffer.AsSpan(0, read).IndexOf(signature);
            if (at >= 0)
            {
                return position + at;
            }

            if (read < want)
            {
                return -1;
            }

            position += read - 3;
        }

        return -1;
    }

    private static long DescriptorLength(Stream stream, long at) =>
        ZipBytes.HasSignatureAt(stream, at, ZipBytes.DescriptorSignature) ? 16 : 12;
}
