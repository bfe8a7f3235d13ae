using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Skops;

internal static class SkopsFormats
{
    public static ModelFormat Skops { get; } = new("Skops", "skops .skops archives (schema.json + .npy arrays)", FormatRisk.Container, ".skops", ".zip");
}
