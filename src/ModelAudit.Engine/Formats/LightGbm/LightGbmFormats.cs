using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.LightGbm;

internal static class LightGbmFormats
{
    public static ModelFormat LightGbm { get; } = new("LightGBM", "LightGBM text model (save_model)", FormatRisk.Data, ".txt", ".model", ".lgb", ".lightgbm");
}
