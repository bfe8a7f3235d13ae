using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.TensorRT;

internal static class TensorRtFormats
{
    /// <summary>A serialized TensorRT engine (ICudaEngine::serialize, trtexec --saveEngine); also as Ultralytics writes
    /// it, behind a length-prefixed JSON metadata block.</summary>
    public static ModelFormat Plan { get; } = new("TensorRT", "TensorRT engine / plan (serialized ICudaEngine)", FormatRisk.Data, ".engine", ".plan", ".trt");
}
