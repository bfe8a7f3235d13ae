namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of the GGUF/GGML family, llamafile-style executable models and the NumPy header checks.</summary>
internal static partial class RuleIds
{
    // 1xxx: a model packaged as a native executable.
    public const string ExecutableModel = "MA1160";

    // 6xxx: GGUF and legacy GGML structure.
    public const string GgufHeaderInvalid = "MA6210";
    public const string GgufDuplicateKey = "MA6211";
    public const string GgufAlignmentInvalid = "MA6212";
    public const string GgufTensorInfoInvalid = "MA6213";
    public const string GgufTensorLayout = "MA6214";
    public const string GgufOutOfBounds = "MA6215";
    public const string GgmlLegacyFormat = "MA6216";

    // 6xxx: NumPy headers written by something other than numpy.
    public const string NumPyHeaderCrafted = "MA6230";
}
