using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Gguf;

/// <summary>Recognises GGUF and the legacy GGML family by their magic; their scanner is not part of this version.</summary>
internal sealed class GgufRecognizer : IFormatScanner
{
    public ScannerInfo Info { get; } = new("gguf", "Gguf", new[] { GgufFormats.Gguf, GgufFormats.Ggml }, Scans: false);

    public Reading? Sniff(SniffInput input)
    {
        ReadOnlySpan<byte> h = input.Head;
        if (h.StartsWith("GGUF"u8))
        {
            return new Reading(GgufFormats.Gguf, this, ReadingStrength.Structural);
        }

        // Legacy magics are little-endian uint32s: 'ggml', 'ggmf', 'ggjt', 'ggla', 'ggsn' read as bytes backwards.
        return h.StartsWith("lmgg"u8) || h.StartsWith("fmgg"u8) || h.StartsWith("tjgg"u8) || h.StartsWith("algg"u8) || h.StartsWith("nsgg"u8)
            ? new Reading(GgufFormats.Ggml, this, ReadingStrength.Structural)
            : null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
    }
}
