using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.TFLite;

/// <summary>Recognises TensorFlow Lite flatbuffers by their file identifier; their scanner is not part of this version.</summary>
internal sealed class TFLiteRecognizer : IFormatScanner
{
    public static ModelFormat TFLite { get; } = new("TFLite", "TensorFlow Lite flatbuffers", FormatRisk.Data, ".tflite");

    public ScannerInfo Info { get; } = new("tflite", "TFLite", new[] { TFLite }, Scans: false);

    // The flatbuffer file identifier "TFL3" sits right after the 4-byte root offset.
    public Reading? Sniff(SniffInput input) =>
        input.Head.Length >= 8 && input.Head.AsSpan(4, 4).SequenceEqual("TFL3"u8) ? new Reading(TFLite, this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
    }
}
