using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Gguf;

/// <summary>
/// GGUF v1–v3 and the legacy GGML/GGMF/GGJT/GGLA files of llama.cpp, validated from their headers alone: every
/// metadata value (nested arrays included), every tensor description, the alignment, and each tensor's byte range
/// against the file. Tensor data is never read. Chat templates go to the analyzers as templates, other strings as
/// metadata; the tokenizer vocabulary does not (see <see cref="IsVocabulary"/>).
/// </summary>
internal sealed partial class GgufScanner : IFormatScanner
{
    // gguf-py writes arrays of arrays and llama.cpp reads none; real files nest at most two deep. The bound keeps a
    // crafted header of nested array headers from recursing without end.
    private const int MaxArrayNesting = 16;

    public ScannerInfo Info { get; } = new("gguf", "Gguf", new[] { GgufFormats.Gguf, GgufFormats.Ggml });

    public Reading? Sniff(SniffInput input)
    {
        ReadOnlySpan<byte> h = input.Head;
        if (h.StartsWith("GGUF"u8))
        {
            return new Reading(GgufFormats.Gguf, this, ReadingStrength.Structural);
        }

        return GgmlMagic(h) is not null ? new Reading(GgufFormats.Ggml, this, ReadingStrength.Structural) : null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        long origin = input.Stream.CanSeek ? input.Stream.Position : 0;
        var reader = new GgufReader(input.Stream, input.Length, context.CancellationToken);
        if (input.Format == GgufFormats.Ggml)
        {
            ScanLegacy(input, reader, context);
            return;
        }

        reader.Skip(4, "the magic");
        uint version = reader.U32();

        // A big-endian file (gguf-py writes them for s390x) has its version bytes swapped.
        if (version is 0 or > 3 && System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(version) is >= 1 and <= 3)
        {
            reader.BigEndian = true;
            version = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(version);
        }

        if (version is 0 or > 3)
        {
            throw new ModelFormatException($"GGUF version {version} is not one this version reads (1 to 3)", 4);
        }

        var header = new GgufHeader(version, origin);
        try
        {
            ulong tensorCount = version == 1 ? reader.U32() : reader.U64();
            ulong keyCount = version == 1 ? reader.U32() : reader.U64();
            if (!CountsFit(reader, header, tensorCount, keyCount, context))
            {
                return;
            }

            ReadMetadata(reader, header, keyCount, context);
            ReadTensorInfos(reader, header, tensorCount, context);
        }
        catch (GgufInvalidException ex)
        {
            context.Report(RuleIds.GgufHeaderInvalid, ex.Message, ex.Offset, ex.Evidence);
            return;
        }
        catch (GgufStopException)
        {
            return;
        }

        CheckLayout(input, header, reader.Offset, context);
    }

    // Each key-value pair takes at least a key length and a type; each tensor description a name length, a
    // dimension count, a type and an offset. Counts whose minimum size passes the end of the file are crafted.
    private static bool CountsFit(GgufReader reader, GgufHeader header, ulong tensorCount, ulong keyCount, ScanContext context)
    {
        ulong lengthSize = header.Version == 1 ? 4UL : 8UL;
        UInt128 minimum = (UInt128)keyCount * (lengthSize + 4) + (UInt128)tensorCount * (lengthSize + 4 + 4 + 8);
        if (reader.Remaining is { } remaining && minimum > (UInt128)(ulong)Math.Max(0, remaining))
        {
            context.Report(RuleIds.GgufHeaderInvalid,
                $"The header declares {tensorCount:N0} tensors and {keyCount:N0} metadata keys, more than the {remaining:N0} remaining bytes can hold.",
                reader.Offset, $"tensors={tensorCount} keys={keyCount}");
            return false;
        }

        if (keyCount > (ulong)context.Limits.MaxMetadataEntries)
        {
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxMetadataEntries),
                $"{keyCount:N0} metadata keys are more than the {context.Limits.MaxMetadataEntries:N0} read", reader.Offset);
        }

        if (tensorCount > (ulong)context.Limits.MaxTensorCount)
        {
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxTensorCount),
                $"{tensorCount:N0} tensors are more than the {context.Limits.MaxTensorCount:N0} read", reader.Offset);
        }

        return true;
    }

    /// <summary>The legacy magic (a little-endian uint32 read as bytes backwards) and what it names.</summary>
    private static string? GgmlMagic(ReadOnlySpan<byte> h) =>
        h.StartsWith("lmgg"u8) ? "ggml" : h.StartsWith("fmgg"u8) ? "ggmf" : h.StartsWith("tjgg"u8) ? "ggjt"
        : h.StartsWith("algg"u8) ? "ggla" : h.StartsWith("nsgg"u8) ? "ggsn" : null;
}
