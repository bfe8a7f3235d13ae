using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.TensorFlow;

internal static class TensorFlowFormats
{
    public static ModelFormat SavedModel { get; } = new("TensorFlowSavedModel", "TensorFlow SavedModel (saved_model.pb)", FormatRisk.Data, ".pb");

    public static ModelFormat MetaGraph { get; } = new("TensorFlowMetaGraph", "TensorFlow MetaGraphDef (.meta)", FormatRisk.Data, ".meta");

    public static ModelFormat GraphDef { get; } = new("TensorFlowGraphDef", "TensorFlow frozen GraphDef (.pb)", FormatRisk.Data, ".pb");
}
