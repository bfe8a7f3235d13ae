using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Dvc;

internal static class DvcFormats
{
    public static ModelFormat DvcPointer { get; } = new("DvcPointer", "DVC pointer files (.dvc) and dvc.lock", FormatRisk.Container);
}
