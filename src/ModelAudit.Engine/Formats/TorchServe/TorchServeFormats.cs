using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.TorchServe;

internal static class TorchServeFormats
{
    public static ModelFormat Mar { get; } = new("TorchServeMar", "TorchServe .mar model archives (MAR-INF/MANIFEST.json, handler, weights)",
        FormatRisk.Container, ".mar", ".zip");
}
