using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Onnx;

internal static class OnnxFormats
{
    public static ModelFormat Onnx { get; } = new("Onnx", "ONNX models (ModelProto)", FormatRisk.Data, ".onnx");

    /// <summary>A file an ONNX model beside it names as the external data of its tensors.</summary>
    public static ModelFormat ExternalData { get; } = new("OnnxExternalData", "Tensor data of an ONNX model stored outside it (external data)", FormatRisk.Data,
        ".data", ".bin", ".onnx_data");
}
