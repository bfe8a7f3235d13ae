using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.XGBoost;

internal static class XGBoostFormats
{
    public static ModelFormat XGBoostJson { get; } = new("XGBoostJson", "XGBoost model (JSON, save_model)", FormatRisk.Data, ".json", ".model");

    /// <summary>The same document in Universal Binary JSON (<c>save_model("m.ubj")</c>, the default since XGBoost 2.1).</summary>
    /// <summary>The binary layout XGBoost wrote before JSON (<c>save_model("m.model")</c> up to 1.x, <c>save_raw("deprecated")</c>):
    /// "binf", the learner's fixed parameters, the objective and booster names, the trees' node arrays, attributes.</summary>
    public static ModelFormat XGBoostBinary { get; } = new("XGBoostBinary", "XGBoost model (legacy binary)", FormatRisk.Data, ".model", ".bin", ".bst");

    public static ModelFormat XGBoostUbj { get; } = new("XGBoostUbj", "XGBoost model (UBJSON, save_model)", FormatRisk.Data, ".ubj");
}
