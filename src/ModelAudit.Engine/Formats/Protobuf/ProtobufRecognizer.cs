using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>
/// Recognises protobuf-encoded models (ONNX, TensorFlow, Core ML, Paddle) by field structure. Protobuf has no magic,
/// so the reading is only plausible: it is scanned when no structural reading of the bytes held. Their scanners are
/// not part of this version.
/// </summary>
internal sealed class ProtobufRecognizer : IFormatScanner
{
    public static ModelFormat Onnx { get; } = new("Onnx", "ONNX models", FormatRisk.Data, ".onnx", ".pb");

    public static ModelFormat Protobuf { get; } = new("Protobuf", "Other protobuf models (TensorFlow, Core ML, Paddle)", FormatRisk.Data,
        ".pb", ".onnx", ".ckpt", ".mlmodel", ".pdmodel", ".pbtxt");

    public ScannerInfo Info { get; } = new("protobuf", "Protobuf", new[] { Onnx, Protobuf }, Scans: false);

    public Reading? Sniff(SniffInput input) =>
        ProtobufSniffer.Detect(input.Head, input.Length) is { } format ? new Reading(format, this, ReadingStrength.Plausible) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
    }
}
