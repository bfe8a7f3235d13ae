using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.CoreML;

internal static class CoreMLFormats
{
    public static ModelFormat Model { get; } = new("CoreML", "Core ML model specification (.mlmodel)", FormatRisk.Data, ".mlmodel");

    public static ModelFormat Weights { get; } = new("CoreMLWeights", "Core ML ML Program weight blobs (.mlpackage weights/weight.bin)", FormatRisk.Data, ".bin");

    public static ModelFormat PackageManifest { get; } = new("CoreMLPackageManifest", "Core ML package manifest (.mlpackage Manifest.json)", FormatRisk.Data, ".json");
}
