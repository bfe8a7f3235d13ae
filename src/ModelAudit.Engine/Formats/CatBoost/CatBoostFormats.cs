using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.CatBoost;

internal static class CatBoostFormats
{
    public static ModelFormat CatBoost { get; } = new("CatBoost", "CatBoost binary model (.cbm)", FormatRisk.Data, ".cbm");
}
