using System.Buffers.Binary;
using System.IO.Compression;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// Single-stream compression wrappers — gzip, bzip2, xz, zstd, zlib and LZMA-alone (joblib's compressors, pandas'
/// and tarballs) — decompressed as a stream under the expansion budget and scanned as their content.
/// </summary>
internal sealed class CompressedStreamScanner : IFormatScanner
{
    private static readonly string[] s_suffixes = { ".gz", ".tgz", ".bz2", ".xz", ".zst", ".z", ".lzma", ".zlib", ".lz4" };

    public string Name => "Compressed";

    public IReadOnlyList<ModelFormat> Formats { get; } = new[]
    {
        ModelFormat.Gzip, ModelFormat.Bzip2, ModelFormat.Xz, ModelFormat.Zstd, ModelFormat.Zlib, ModelFormat.Lzma, ModelFormat.Lz4,
    };

    public void Scan(ScanInput input, ScanContext context)
    {
        // Decompressors may close what they read; the file itself must stay open for hashing and polyglot checks.
        Stream raw = new LeaveOpenStream(input.Stream);
        long start = input.Stream.CanSeek ? input.Stream.Position : 0;
        Func<long>? consumed = input.Stream.CanSeek ? () => input.Stream.Position - start : null;
        Stream expanded = input.Format switch
        {
            ModelFormat.Gzip => new GZipStream(raw, CompressionMode.Decompress, leaveOpen: true),
            ModelFormat.Bzip2 => SharpCompress.Compressors.BZip2.BZip2Stream.Create(raw, SharpCompress.Compressors.CompressionMode.Decompress, true, leaveOpen: true),
            ModelFormat.Xz => new SharpCompress.Compressors.Xz.XZStream(raw),
            ModelFormat.Zstd => new SharpCompress.Compressors.ZStandard.DecompressionStream(raw, leaveOpen: true),
            ModelFormat.Zlib => new ZLibStream(raw, CompressionMode.Decompress, leaveOpen: true),
            ModelFormat.Lz4 => new Lz4FrameStream(raw),
            _ => OpenLzmaAlone(raw),
        };

        string inner = InnerName(input.Name, input.Format);
        bool savedJoblib = context.InJoblib;
        context.InJoblib |= input.Name.EndsWith(".joblib", StringComparison.OrdinalIgnoreCase);
        try
        {
            using var guarded = new ExpansionGuardStream(expanded, input.Length ?? long.MaxValue / 2, context, $"{input.Format} stream", consumed);
            context.ScanChild(inner, guarded, null);
        }
        finally
        {
            context.InJoblib = savedJoblib;
        }
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
        return format is ModelFormat.Zlib or ModelFormat.Lzma ? name : "decompressed";
    }
}
