using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Data;

/// <summary>
/// Formats that no model loader executes and that carry nothing to analyse: SentencePiece vocabularies
/// (tokenizer.model) and images or PDFs beside the model. Recognised, so they are neither Unknown nor mistaken
/// for something else; a pickle reading of the same bytes is still scanned, and appended archives are still found.
/// </summary>
internal sealed class PassiveDataScanner : IFormatScanner
{
    private static readonly byte[] s_png = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
    private static readonly byte[] s_jpeg = { 0xFF, 0xD8, 0xFF };

    public ScannerInfo Info { get; } = new("data", "Data", new[] { DataFormats.SentencePiece, DataFormats.Media });

    public Reading? Sniff(SniffInput input)
    {
        ReadOnlySpan<byte> h = input.Head;
        if (h.StartsWith(s_png) || h.StartsWith(s_jpeg) || h.StartsWith("GIF87a"u8) || h.StartsWith("GIF89a"u8) || h.StartsWith("%PDF-"u8)
            || (h.Length >= 12 && h.StartsWith("RIFF"u8) && h.Slice(8, 4).SequenceEqual("WEBP"u8)))
        {
            return new Reading(DataFormats.Media, this, ReadingStrength.Structural);
        }

        return IsSentencePiece(h) ? new Reading(DataFormats.SentencePiece, this, ReadingStrength.Structural) : null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
    }

    // SentencePiece ModelProto: repeated pieces (field 1), each { piece: string = 1; score: float = 2; type = 3 }.
    private static bool IsSentencePiece(ReadOnlySpan<byte> h)
    {
        int pos = 0;
        if (h.Length < 8 || h[pos++] != 0x0A || !ProtobufSniffer.TryVarint(h, ref pos, out ulong pieceLength) || pieceLength > 1024)
        {
            return false;
        }

        if (pos >= h.Length || h[pos++] != 0x0A || !ProtobufSniffer.TryVarint(h, ref pos, out ulong textLength) || textLength > 512)
        {
            return false;
        }

        pos += (int)textLength;
        return pos < h.Length && h[pos] == 0x15;
    }
}
