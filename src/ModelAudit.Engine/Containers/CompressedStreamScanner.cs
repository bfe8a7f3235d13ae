using System.Buffers.Binary;
using System.IO.Compression;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// Single-stream compression wrappers — gzip, bzip2, xz, zstd, zlib, LZMA-alone and LZ4 frames (joblib's compressors,
/// pandas' and tarballs) — decompressed as a stream under the expansion budget and scanned as their content.
/// </summary>
internal sealed class CompressedStreamScanner : IFormatScanner
{
    private static readonly string[] s_suffixes = { ".gz", ".tgz", ".bz2", ".xz", ".zst", ".z", ".lzma", ".zlib", ".lz4" };

    public ScannerInfo Info { get; } = new("compressed", "Compressed", new[]
    {
        ContainerFormats.Gzip, ContainerFormats.Bzip2, ContainerFormats.Xz, ContainerFormats.Zstd, ContainerFormats.Zlib,
        ContainerFormats.Lzma, ContainerFormats.Lz4,
    });

    public Reading? Sniff(SniffInput input)
    {
        if (CompressionMagic.Identify(input.Head) is { } strong)
        {
            return new Reading(strong, this, ReadingStrength.Structural);
        }

        // zlib's two-byte header and LZMA-alone's properties are weak signatures: the head must also decode.
        if (LooksLikeZlib(input.Head) && Decodes(() => new ZLibStream(new MemoryStream(input.Head), CompressionMode.Decompress)))
        {
            return new Reading(ContainerFormats.Zlib, this, ReadingStrength.Plausible);
        }

        return LooksLikeLzmaAlone(input.Head) && Decodes(() => OpenLzmaAlone(new MemoryStream(input.Head)))
            ? new Reading(ContainerFormats.Lzma, this, ReadingStrength.Plausible)
            : null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        // Decompressors may close what they read; the file itself must stay open for hashing and polyglot checks.
        Stream raw = new LeaveOpenStream(input.Stream);
        long start = input.Stream.CanSeek ? input.Stream.Position : 0;
        Func<long>? consumed = input.Stream.CanSeek ? () => input.Stream.Position - start : null;
        Stream expanded = ExpansionGuardStream.OpenDecoder(() => Open(input.Format, raw), $"{input.Format} stream");
        string inner = InnerName(input.Name, input.Format);
        bool joblib = input.Name.EndsWith(".joblib", StringComparison.OrdinalIgnoreCase);
        using var guarded = new ExpansionGuardStream(expanded, input.Length ?? long.MaxValue / 2, context, $"{input.Format} stream", consumed);
        context.ScanChild(inner, guarded, null, frame => joblib ? frame with { InJoblib = true } : frame);
    }

    private static Stream Open(ModelFormat format, Stream raw)
    {
        if (format == ContainerFormats.Gzip)
        {
            return new GZipStream(raw, CompressionMode.Decompress, leaveOpen: true);
        }

        if (format == ContainerFormats.Bzip2)
        {
            return SharpCompress.Compressors.BZip2.BZip2Stream.Create(raw, SharpCompress.Compressors.CompressionMode.Decompress, true, leaveOpen: true);
        }

        if (format == ContainerFormats.Xz)
        {
            return new SharpCompress.Compressors.Xz.XZStream(raw);
        }

        if (format == ContainerFormats.Zstd)
        {
            return new SharpCompress.Compressors.ZStandard.DecompressionStream(raw, leaveOpen: true);
        }

        if (format == ContainerFormats.Zlib)
        {
            return new ZLibStream(raw, CompressionMode.Decompress, leaveOpen: true);
        }

        return format == ContainerFormats.Lz4 ? new Lz4FrameStream(raw) : OpenLzmaAlone(raw);
    }

    // True when the first byte of output decodes (or the stream is validly empty): the signature is not a coincidence.
    private static bool Decodes(Func<Stream> open)
    {
        try
        {
            using Stream stream = open();
            Span<byte> one = stackalloc byte[1];
            stream.ReadAtMost(one);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }

    private static bool LooksLikeZlib(ReadOnlySpan<byte> h) =>
        h.Length >= 2 && h[0] == 0x78 && (h[1] is 0x01 or 0x5E or 0x9C or 0xDA);

    // LZMA "alone" header: properties byte 0x5D and a power-of-two dictionary size, as xz-utils and joblib write it.
    private static bool LooksLikeLzmaAlone(ReadOnlySpan<byte> h)
    {
        if (h.Length < 13 || h[0] != 0x5D)
        {
            return false;
        }

        uint dict = BinaryPrimitives.ReadUInt32LittleEndian(h[1..]);
        return dict >= 1 << 12 && dict <= 1u << 30 && (dict & (dict - 1)) == 0;
    }

    // LZMA "alone": 5 property bytes, an 8-byte uncompressed size (all ones when unknown), then the stream.
    private static Stream OpenLzmaAlone(Stream raw)
    {
        byte[] header = new byte[13];
        if (raw.ReadAtMost(header) < 13)
        {
            throw new EndOfStreamException();
        }

        long size = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(5));
        return SharpCompress.Compressors.LZMA.LzmaStream.Create(header[..5], raw, -1, size);
    }

    private static string InnerName(string name, ModelFormat format)
    {
        foreach (string suffix in s_suffixes)
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length)
            {
                return suffix == ".tgz" ? name[..^suffix.Length] + ".tar" : name[..^suffix.Length];
            }
        }

        // joblib's zlib/lzma files keep their own name (x.joblib holds a joblib pickle); others get a plain label.
        return format == ContainerFormats.Zlib || format == ContainerFormats.Lzma ? name : "decompressed";
    }
}
