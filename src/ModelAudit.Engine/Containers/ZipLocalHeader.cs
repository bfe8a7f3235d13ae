using System.Buffers.Binary;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// A zip local file header: the one parser of its fields, used both when a directory entry is opened (its data starts
/// after the local name and extra field, as zipfile and miniz compute it) and when local headers are walked.
/// </summary>
internal sealed record ZipLocalHeader(long Offset, ushort Flags, ushort Method, uint Crc, long CompressedSize, long UncompressedSize,
    string Name, long DataOffset)
{
    public const int FixedSize = 30;

    public bool HasDataDescriptor => (Flags & 0x0008) != 0;

    /// <summary>The header at <paramref name="offset"/>, or null when there is no signature or it runs past the end.</summary>
    public static ZipLocalHeader? TryRead(Stream stream, long offset)
    {
        if (offset < 0 || offset + FixedSize > stream.Length || !ZipBytes.HasSignatureAt(stream, offset, ZipBytes.LocalSignature))
        {
            return null;
        }

        byte[] header = ZipBytes.ReadAt(stream, offset, FixedSize);
        var h = header.AsSpan();
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(h[6..]);
        ushort method = BinaryPrimitives.ReadUInt16LittleEndian(h[8..]);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(h[14..]);
        long compressed = BinaryPrimitives.ReadUInt32LittleEndian(h[18..]);
        long uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(h[22..]);
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(h[26..]);
        int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
        long dataOffset = offset + FixedSize + nameLength + extraLength;
        if (dataOffset > stream.Length)
        {
            return null;
        }

        byte[] variable = ZipBytes.ReadAt(stream, offset + FixedSize, nameLength + extraLength);
        long unused = 0;
        ZipDirectory.ApplyZip64(variable.AsSpan(nameLength), ref uncompressed, ref compressed, ref unused);
        return new ZipLocalHeader(offset, flags, method, crc, compressed, uncompressed, ZipDirectory.DecodeName(variable.AsSpan(0, nameLength), flags), dataOffset);
    }
}
