using ModelAudit.Engine.Containers;

namespace ModelAudit.Engine.Detection;

/// <summary>The magic bytes of single-stream compression formats, shared by detection and payload sniffing.</summary>
internal static class CompressionMagic
{
    private static readonly byte[] s_xz = { 0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00 };
    private static readonly byte[] s_zstd = { 0x28, 0xB5, 0x2F, 0xFD };
    private static readonly byte[] s_lz4 = { 0x04, 0x22, 0x4D, 0x18 };

    /// <summary>gzip, bzip2, xz, zstd or LZ4 frame by their magic; null otherwise (zlib's two-byte header is not strong enough).</summary>
    public static ModelFormat? Identify(ReadOnlySpan<byte> h)
    {
        if (h.Length >= 3 && h[0] == 0x1F && h[1] == 0x8B && h[2] == 0x08)
        {
            return ContainerFormats.Gzip;
        }

        if (h.Length >= 4 && h[0] == (byte)'B' && h[1] == (byte)'Z' && h[2] == (byte)'h' && h[3] is >= (byte)'1' and <= (byte)'9')
        {
            return ContainerFormats.Bzip2;
        }

        return h.StartsWith(s_xz) ? ContainerFormats.Xz : h.StartsWith(s_zstd) ? ContainerFormats.Zstd : h.StartsWith(s_lz4) ? ContainerFormats.Lz4 : null;
    }
}
