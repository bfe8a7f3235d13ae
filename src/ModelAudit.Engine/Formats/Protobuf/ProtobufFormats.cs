using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Protobuf;

internal static class ProtobufFormats
{
    /// <summary>Protobuf whose field structure fits more than one model format.</summary>
    public static ModelFormat Ambiguous { get; } = new("Protobuf", "Protobuf that fits more than one model format (ONNX, TensorFlow, Core ML, Paddle)",
        FormatRisk.Data, ".pb", ".onnx", ".meta", ".mlmodel", ".pdmodel");
}
