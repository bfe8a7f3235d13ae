namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>The protobuf model types told apart by <see cref="ProtobufClassifier"/>.</summary>
internal enum ProtobufKind
{
    Onnx,
    TensorFlowSavedModel,
    TensorFlowMetaGraph,
    TensorFlowGraphDef,
    CoreML,
    Paddle,
}
