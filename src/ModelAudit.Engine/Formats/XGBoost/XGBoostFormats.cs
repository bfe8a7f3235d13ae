using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.XGBoost;

internal static class XGBoostFormats
{
    public static ModelFormat XGBoostJson { get; } = new("XGBoostJson", "XGBoost model (JSON, save_model)", FormatRisk.Data, ".json", ".model");
}
