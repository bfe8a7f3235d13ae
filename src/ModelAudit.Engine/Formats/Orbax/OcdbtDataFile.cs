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

        // The node is read only as far as the file goes (and never past the envelope bound), so a declared length is
        // compared with the bytes really there before anything the size of it is kept.
        int want = (int)Math.Min(Math.Max(declared, 12UL) - (ulong)n, (ulong)OcdbtEnvelope.MaxEnvelopeBytes);
        byte[] rest = BoundedRead.Prefix(stream, want);
        byte[] node = new byte[n + rest.Length];
        header.AsSpan(0, n).CopyTo(node);
        rest.CopyTo(node, n);
        OcdbtEnvelope.Open(node, length ?? node.Length, magic, 0, "the data file's first node", context);
    }
}
