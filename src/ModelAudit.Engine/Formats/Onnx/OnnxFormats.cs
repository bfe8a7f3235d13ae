using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Onnx;

internal static class OnnxFormats
{
    public static ModelFormat Onnx { get; } = new("Onnx", "ONNX models (ModelProto)", FormatRisk.Data, ".onnx");
}
