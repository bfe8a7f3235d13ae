using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.TFLite;

internal static class TFLiteFormats
{
    public static ModelFormat TFLite { get; } = new("TFLite", "TensorFlow Lite flatbuffers", FormatRisk.Data, ".tflite");
}
