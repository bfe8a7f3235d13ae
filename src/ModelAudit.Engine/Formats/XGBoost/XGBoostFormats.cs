using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.XGBoost;

internal static class XGBoostFormats
{
    public static ModelFormat XGBoostJson { get; } = new("XGBoostJson", "XGBoost model (JSON, save_model)", FormatRisk.Data, ".json", ".model");

    /// <summary>The same document in Universal Binary JSON (<c>save_model("m.ubj")</c>, the default since XGBoost 2.1).</summary>
    public static ModelFormat XGBoostUbj { get; } = new("XGBoostUbj", "XGBoost model (UBJSON, save_model)", FormatRisk.Data, ".ubj");
}
