namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of the layer formats: Keras (v3 archives, legacy H5, JSON, keras_metadata.pb), skops, NeMo, TorchServe.</summary>
internal static partial class RuleIds
{
    // 1xxx code execution
    public const string KerasLambdaDangerousCode = "MA1120";
    public const string KerasLambdaLayer = "MA1121";
    public const string KerasDangerousReference = "MA1122";
    public const string KerasUnsafeDeserialization = "MA1123";
    public const string KerasGetFileGadget = "MA1124";
    public const string KerasTorchModuleWrapper = "MA1125";
    public const string HydraDangerousTarget = "MA1126";
    public const string SkopsDangerousType = "MA1127";

    // 3xxx framework operations
    public const string KerasCustomObject = "MA3040";
    public const string KerasTorchModuleWrapperGated = "MA3041";
    public const string HydraUnknownTarget = "MA3042";
    public const string SkopsUntrustedType = "MA3043";
    public const string TorchServeHandler = "MA3044";

    // 6xxx integrity
    public const string ManifestMissingMember = "MA6140";
    public const string TorchServeManifestInvalid = "MA6141";
}
