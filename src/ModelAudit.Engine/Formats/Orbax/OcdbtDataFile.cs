using System.Buffers.Binary;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Orbax;

/// <summary>
/// An OCDBT data file read on its own: a log of raw values and encoded nodes with no index of its own (the manifest's
/// tree says where each part is, and the manifest's scan reads them). When the file starts with a node, that node's
/// envelope (length within the file, version, compression, checksum) is checked.
/// </summary>
internal static class OcdbtDataFile
{
    public static void CheckLeadingNode(Stream stream, long? length, ScanContext context)
    {
        byte[] header = new byte[12];
        int n = stream.ReadAtMost(header);
        uint magic = n >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(header) : 0;
        ulong declared = n >= 12 ? BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(4)) : 0;
        long available = length ?? long.MaxValue;

        // The declared length is compared with the file before anything is allocated from it.
        int read = (int)Math.Min(Math.Min(declared, (ulong)Math.Min(available, OcdbtEnvelope.MaxEnvelopeBytes + 1L)), int.MaxValue);
        byte[] node = new byte[Math.Max(read, n)];
        header.AsSpan(0, n).CopyTo(node);
        int rest = stream.ReadAtMost(node.AsSpan(n));
        OcdbtEnvelope.Open(node.AsSpan(0, n + rest), Math.Min(available, n + rest), magic, 0, "the data file's first node", context);
    }
}
