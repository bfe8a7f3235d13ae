using System.Buffers.Binary;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Containers;

/// <summary>The second reading of a zip: walking local headers from the start, as streaming readers do.</summary>
internal sealed partial class ZipScanner
{
    // Local headers that the central directory does not list: invisible to directory-driven readers.
    private void WalkLocalHeaders(Stream stream, long start, long end, Dictionary<long, ZipEntryInfo> known, ScanContext context, Flavour flavour)
    {
        long position = start;
        int steps = 0;
        while (position + 30 <= end && steps++ < context.Limits.MaxArchiveEntries)
        {
            byte[] header = ZipDirectory.ReadAt(stream, position, 30);
            if (!header.AsSpan().StartsWith("PK\x03\x04"u8))
            {
                return;
            }

            var h = header.AsSpan();
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(h[6..]);
            ushort method = BinaryPrimitives.ReadUInt16LittleEndian(h[8..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(h[14..]);
            long csize = BinaryPrimitives.ReadUInt32LittleEndian(h[18..]);
            long usize = BinaryPrimitives.ReadUInt32LittleEndian(h[22..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(h[26..]);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
            byte[] variable = ZipDirectory.ReadAt(stream, position + 30, nameLength + extraLength);
            long local = position;
            ZipDirectory.ApplyZip64(variable.AsSpan(nameLength), ref usize, ref csize, ref local);
            long dataOffset = position + 30 + nameLength + extraLength;

            if (nameLength == 0)
            {
                context.ReportInconclusive(RuleIds.ParseError, $"A local zip header at offset {position} has no name; the walk stopped.", position);
                return;
            }

            if (known.TryGetValue(position, out ZipEntryInfo? listed))
            {
                csize = listed.CompressedSize;
                flags = listed.Flags;
            }
            else
            {
                if ((flags & 0x0008) != 0 && csize == 0)
                {
                    context.ReportInconclusive(RuleIds.ParseError, "A local zip entry outside the central directory has no recorded size; the walk stopped.", position);
                    return;
                }

                var hidden = new ZipEntryInfo(ZipDirectory.DecodeName(variable.AsSpan(0, nameLength), flags), flags, method, crc, csize, usize, position, 0, false);
                context.Report(RuleIds.ArchiveHiddenEntry,
                    $"Local entry '{hidden.Name}' at offset {position} is not in the central directory: directory-driven readers never see it.", position, hidden.Name);
                ScanEntry(stream, hidden, context, flavour);
            }

            position = dataOffset + csize + ((flags & 0x0008) != 0 ? DescriptorLength(stream, dataOffset + csize) : 0);
        }
    }

    private static long DescriptorLength(Stream stream, long at)
    {
        if (at + 4 > stream.Length)
        {
            return 0;
        }

        byte[] sig = ZipDirectory.ReadAt(stream, at, 4);
        return sig.AsSpan().SequenceEqual("PK\x07\x08"u8) ? 16 : 12;
    }
}
