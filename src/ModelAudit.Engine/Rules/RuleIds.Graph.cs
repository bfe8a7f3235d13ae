namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of the graph formats: ONNX, TensorFlow, PaddlePaddle, Core ML and protobuf classification.</summary>
internal static partial class RuleIds
{
    // 1xxx: graph operators that call back into Python.
    public const string TensorFlowPythonOp = "MA1100";
    public const string OnnxPythonOp = "MA1101";
    public const string PaddlePythonOp = "MA1102";

    // 3xxx: graph operators that reach the host.
    public const string TensorFlowFileReadOp = "MA3001";
    public const string TensorFlowFileWriteOp = "MA3002";
    public const string TensorFlowHostOp = "MA3003";
    public const string OnnxCustomDomain = "MA3010";
    public const string PaddleFileOp = "MA3020";
    public const string CoreMLCustomCode = "MA3030";

    // 6xxx: references out of the model and structural integrity.
    public const string OnnxExternalDataEscape = "MA6100";
    public const string OnnxExternalDataMissing = "MA6101";
    public const string OnnxExternalDataOutOfBounds = "MA6102";
    public const string OnnxExternalDataUnverified = "MA6103";
    public const string ProtobufAmbiguous = "MA6110";
    public const string CoreMLPathEscape = "MA6120";
    public const string CoreMLWeightsInvalid = "MA6121";
    public const string PaddleParamsInvalid = "MA6125";
}
