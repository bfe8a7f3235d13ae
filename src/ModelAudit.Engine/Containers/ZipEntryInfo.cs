namespace ModelAudit.Engine.Containers;

/// <summary>One zip entry as the central directory (or a local header alone) describes it.</summary>
internal sealed record ZipEntryInfo(
    string Name,
    ushort Flags,
    ushort Method,
    uint Crc,
    long CompressedSize,
    long UncompressedSize,
    long LocalHeaderOffset,
    uint ExternalAttributes,
    bool FromCentralDirectory)
{
    public bool IsEncrypted => (Flags & 0x0001) != 0 || (Flags & 0x0040) != 0;

    public bool HasDataDescriptor => (Flags & 0x0008) != 0;

    public bool IsDirectory => Name.EndsWith('/') && UncompressedSize == 0;

    public bool IsSymlink => ((ExternalAttributes >> 16) & 0xF000) == 0xA000;
}
