using System.Buffers.Binary;
using ModelAudit.Engine.Formats.Pickle;

namespace ModelAudit.Engine.Detection;

/// <summary>
/// Decides a format from content. The name is never used to pick a format (only to report a mismatch), so a
/// pickle named <c>.safetensors</c> is still scanned as a pickle.
/// </summary>
internal static class FormatDetector
{
    private static readonly byte[] s_lfsPrefix = "version https://git-lfs.github.com/spec/"u8.ToArray();
    private static readonly byte[] s_hdf5 = { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A };

    public static ModelFormat Detect(ReadOnlySpan<byte> head, long? length, string name)
    {
        if (head.Length == 0)
        {
            return ModelFormat.Empty;
        }

        if (DetectByMagic(head) is { } magic)
        {
            return magic;
        }

        if (LooksLikeSafeTensors(head, length))
        {
            return ModelFormat.SafeTensors;
        }

        if (LooksLikeTar(head))
        {
            return ModelFormat.Tar;
        }

        foreach (int offset in new[] { 512, 1024, 2048, 4096 })
        {
            if (head.Length >= offset + 8 && head.Slice(offset, 8).SequenceEqual(s_hdf5))
            {
                return ModelFormat.Hdf5;
            }
        }

        // PROTO and one more valid opcode: a pickle broken right after its start is still a pickle to report.
        if (PickleSniffer.LooksLikePickle(head, length, minimumOpcodes: 2))
        {
            return ModelFormat.Pickle;
        }

        if (TextSniffer.IsText(head))
        {
            return TextSniffer.Classify(head);
        }

        if (LooksLikeZlib(head))
        {
            return ModelFormat.Zlib;
        }

        if (LooksLikeLzmaAlone(head))
        {
            return ModelFormat.Lzma;
        }

        return ProtobufSniffer.Detect(head, length) ?? ModelFormat.Unknown;
    }

    private static ModelFormat? DetectByMagic(ReadOnlySpan<byte> h)
    {
        if (h.StartsWith("PK\x03\x04"u8) || h.StartsWith("PK\x05\x06"u8) || h.StartsWith("PK\x07\x08"u8))
        {
            return ModelFormat.Zip;
        }

        if (h.StartsWith(s_lfsPrefix))
        {
            return ModelFormat.GitLfsPointer;
        }

        if (h.StartsWith(new byte[] { 0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59 }))
        {
            return ModelFormat.NumPy;
        }

        if (h.StartsWith("GGUF"u8))
        {
            return ModelFormat.Gguf;
        }

        // Legacy GGML family, magic stored as a little-endian uint32: 'ggml', 'ggmf', 'ggjt', 'ggla', 'ggsn'.
        if (h.StartsWith("lmgg"u8) || h.StartsWith("fmgg"u8) || h.StartsWith("tjgg"u8) || h.StartsWith("algg"u8) || h.StartsWith("nsgg"u8))
        {
            return ModelFormat.Ggml;
        }

        if (h.StartsWith(s_hdf5))
        {
            return ModelFormat.Hdf5;
        }

        if (h.StartsWith(new byte[] { 0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C }))
        {
            return ModelFormat.SevenZip;
        }

        if (CompressionMagic.Identify(h) is { } compressed)
        {
            return compressed;
        }

        if (h.StartsWith("\x7F\x45\x4C\x46"u8))
        {
            return ModelFormat.Elf;
        }

        if (h.StartsWith(new byte[] { 0xFE, 0xED, 0xFA, 0xCE }) || h.StartsWith(new byte[] { 0xFE, 0xED, 0xFA, 0xCF })
            || h.StartsWith(new byte[] { 0xCE, 0xFA, 0xED, 0xFE }) || h.StartsWith(new byte[] { 0xCF, 0xFA, 0xED, 0xFE }))
        {
            return ModelFormat.MachO;
        }

        // Fat Mach-O shares 0xCAFEBABE with Java class files; a fat header has a small architecture count.
        if (h.Length >= 8 && h.StartsWith(new byte[] { 0xCA, 0xFE, 0xBA, 0xBE }) && BinaryPrimitives.ReadUInt32BigEndian(h[4..]) is > 0 and < 20)
        {
            return ModelFormat.MachO;
        }

        if (h.Length >= 64 && h[0] == (byte)'M' && h[1] == (byte)'Z')
        {
            int peOffset = BinaryPrimitives.ReadInt32LittleEndian(h[0x3C..]);
            if (peOffset > 0 && peOffset + 4 <= h.Length)
            {
                return h.Slice(peOffset, 4).SequenceEqual("PE\0\0"u8) ? ModelFormat.PE : null;
            }

            return peOffset > 0 && peOffset < 1 << 20 ? ModelFormat.PE : null;
        }

        if (h.Length >= 8 && h.Slice(4, 4).SequenceEqual("TFL3"u8))
        {
            return ModelFormat.TFLite;
        }

        // Images and PDFs beside models (README figures, model cards): data no model loader executes.
        if (h.StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }) || h.StartsWith(new byte[] { 0xFF, 0xD8, 0xFF })
            || h.StartsWith("GIF87a"u8) || h.StartsWith("GIF89a"u8) || h.StartsWith("%PDF-"u8)
            || (h.Length >= 12 && h.StartsWith("RIFF"u8) && h.Slice(8, 4).SequenceEqual("WEBP"u8)))
        {
            return ModelFormat.Media;
        }

        return null;
    }

    // SafeTensors: u64 little-endian header length, then a JSON object. A huge or zero length is still SafeTensors
    // (the scanner reports the bounds violation); the '{' after the length is what identifies it.
    private static bool LooksLikeSafeTensors(ReadOnlySpan<byte> h, long? length)
    {
        if (h.Length < 10 || h[8] != (byte)'{')
        {
            return false;
        }

        byte next = h[9];
        if (next is not ((byte)'"' or (byte)'}' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            return false;
        }

        // Eight printable characters before a '{' are text, unless they happen to be a length that fits the file.
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(h);
        bool printable = !h[..8].ContainsAnyExceptInRange((byte)0x20, (byte)0x7E);
        return !printable || (length is { } total && headerLength <= (ulong)total);
    }

    private static bool LooksLikeTar(ReadOnlySpan<byte> h)
    {
        if (h.Length < 512)
        {
            return false;
        }

        if (h.Slice(257, 5).SequenceEqual("ustar"u8))
        {
            return true;
        }

        // Pre-POSIX (v7) tar: no magic, but the header checksum must match.
        return TarHeaderChecksum.IsValid(h[..512]);
    }

    private static bool LooksLikeZlib(ReadOnlySpan<byte> h) =>
        h.Length >= 2 && h[0] == 0x78 && (h[1] is 0x01 or 0x5E or 0x9C or 0xDA);

    // LZMA "alone" header: properties byte 0x5D and a power-of-two-ish dictionary size, as xz-utils and joblib write it.
    private static bool LooksLikeLzmaAlone(ReadOnlySpan<byte> h)
    {
        if (h.Length < 13 || h[0] != 0x5D)
        {
            return false;
        }

        uint dict = BinaryPrimitives.ReadUInt32LittleEndian(h[1..]);
        return dict >= 1 << 12 && dict <= 1u << 30 && (dict & (dict - 1)) == 0;
    }
}
