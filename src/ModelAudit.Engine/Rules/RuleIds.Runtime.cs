namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of the runtime and tree-model formats (TFLite, OpenVINO, PMML, XGBoost, LightGBM, CatBoost,
/// Flax/JAX msgpack): MA3080–MA3119, MA6170–MA6209, MA1140–MA1159.</summary>
internal static partial class RuleIds
{
    // 1xxx code execution
    public const string PmmlCodeExtension = "MA1140";
    public const string CheckpointObjectProtocolKey = "MA1141";

    // 3xxx framework operations
    public const string TFLiteCustomOperator = "MA3080";
    public const string TFLiteFlexOperator = "MA3081";
    public const string TFLiteHostFlexOperator = "MA3082";
    public const string OpenVinoCustomLayer = "MA3083";
    public const string OpenVinoExtensionLibrary = "MA3084";

    // 6xxx integrity
    public const string XmlDocumentTypeDeclaration = "MA6170";
    public const string TFLiteStructureInvalid = "MA6171";
    public const string OpenVinoWeightsOutOfBounds = "MA6172";
    public const string OpenVinoWeightsMissing = "MA6173";
    public const string TreeModelStructureInvalid = "MA6174";
    public const string MsgpackStructureInvalid = "MA6175";
    public const string CatBoostStructureInvalid = "MA6176";
    public const string ExecuTorchStructureInvalid = "MA6177";
}
