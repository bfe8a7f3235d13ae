using static ModelAudit.Engine.Formats.Protobuf.ProtoFieldKind;

namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>
/// The top-level message of each protobuf model format, with field numbers from the official schemas: onnx.proto
/// (ModelProto), TensorFlow's saved_model.proto, meta_graph.proto, graph.proto and node_def.proto, Core ML's
/// Model.proto and PaddlePaddle's framework.proto (ProgramDesc). Only the fields classification needs are detailed;
/// the rest are declared with their wire type so an unknown field number is evidence against the format.
/// </summary>
internal static class ProtobufShapes
{
    // ONNX (onnx.proto).
    private static readonly ProtoShape s_onnxOpset = new ProtoShape("OperatorSetIdProto").Field(1, Utf8).Field(2, Varint);
    private static readonly ProtoShape s_onnxEntry = new ProtoShape("StringStringEntryProto").Field(1, Utf8).Field(2, Utf8);
    private static readonly ProtoShape s_onnxTensor = new ProtoShape("TensorProto")
        .Fields(PackedVarint, 1, 5, 7, 11).Field(2, Varint).Field(3, AnyMessage).Field(4, Fixed32).Field(6, Bytes)
        .Fields(Utf8, 8, 12).Field(9, Bytes).Field(10, Fixed64).Message(13, () => s_onnxEntry).Field(14, Varint)
        .Message(16, () => s_onnxEntry);
    private static readonly ProtoShape s_onnxAttribute = new ProtoShape("AttributeProto")
        .Fields(Utf8, 1, 21, 13).Field(20, Varint).Field(2, Fixed32).Field(3, Varint).Field(4, Bytes)
        .Message(5, () => s_onnxTensor).Message(6, () => OnnxGraph!).Fields(AnyMessage, 22, 14, 23, 15).Field(7, Fixed32)
        .Field(8, PackedVarint).Field(9, Bytes).Message(10, () => s_onnxTensor).Message(11, () => OnnxGraph!);
    private static readonly ProtoShape s_onnxNode = new ProtoShape("NodeProto")
        .Fields(Utf8, 1, 2, 3, 6, 7, 8).Field(4, Identifier).Message(5, () => s_onnxAttribute).Message(9, () => s_onnxEntry)
        .Field(10, AnyMessage);
    private static readonly ProtoShape s_onnxValueInfo = new ProtoShape("ValueInfoProto")
        .Field(1, Utf8).Field(2, AnyMessage).Field(3, Utf8).Message(4, () => s_onnxEntry);

    public static ProtoShape OnnxGraph { get; } = new ProtoShape("GraphProto")
        .Message(1, () => s_onnxNode).Field(2, Utf8).Message(5, () => s_onnxTensor).Field(15, AnyMessage).Field(10, Utf8)
        .Message(11, () => s_onnxValueInfo).Message(12, () => s_onnxValueInfo).Message(13, () => s_onnxValueInfo)
        .Field(14, AnyMessage).Message(16, () => s_onnxEntry);

    public static ProtoShape OnnxModel { get; } = new ProtoShape("ModelProto")
        .Field(1, Varint).Message(8, () => s_onnxOpset).Fields(PrintableText, 2, 3, 4).Field(5, Varint).Field(6, Utf8)
        .Message(7, () => OnnxGraph!).Message(14, () => s_onnxEntry).Fields(AnyMessage, 20, 25, 26);

    // TensorFlow (graph.proto, node_def.proto, attr_value.proto, meta_graph.proto, saved_model.proto).
    private static readonly ProtoShape s_tfAttrValue = new ProtoShape("AttrValue")
        .Field(1, AnyMessage).Field(2, Bytes).Field(3, Varint).Field(4, Fixed32).Fields(Varint, 5, 6).Fields(AnyMessage, 7, 8, 10)
        .Field(9, Utf8);
    private static readonly ProtoShape s_tfAttrEntry = new ProtoShape("NodeDef.AttrEntry").Field(1, Utf8).Message(2, () => s_tfAttrValue);
    private static readonly ProtoShape s_tfNode = new ProtoShape("NodeDef")
        .Field(1, Utf8).Field(2, Identifier).Fields(Utf8, 3, 4).Message(5, () => s_tfAttrEntry).Fields(AnyMessage, 6, 7);
    private static readonly ProtoShape s_tfVersions = new ProtoShape("VersionDef").Fields(Varint, 1, 2).Field(3, PackedVarint);
    private static readonly ProtoShape s_tfOpDef = new ProtoShape("OpDef")
        .Field(1, Identifier).Fields(AnyMessage, 2, 3, 4, 8).Fields(Utf8, 5, 6, 20).Fields(Varint, 16, 17, 18, 19, 21);
    private static readonly ProtoShape s_tfOpList = new ProtoShape("OpList").Message(1, () => s_tfOpDef);
    private static readonly ProtoShape s_tfMetaInfo = new ProtoShape("MetaInfoDef")
        .Field(1, PrintableText).Message(2, () => s_tfOpList).Fields(AnyMessage, 3, 8).Fields(PrintableText, 4, 5, 6).Field(7, Varint);
    private static readonly ProtoShape s_tfSaver = new ProtoShape("SaverDef")
        .Fields(Utf8, 1, 2, 3).Fields(Varint, 4, 5, 7).Field(6, Fixed32);

    public static ProtoShape TensorFlowGraphDef { get; } = new ProtoShape("GraphDef")
        .Message(1, () => s_tfNode).Field(2, AnyMessage).Field(3, Varint).Message(4, () => s_tfVersions).Field(5, AnyMessage);

    public static ProtoShape TensorFlowMetaGraph { get; } = new ProtoShape("MetaGraphDef")
        .Message(1, () => s_tfMetaInfo).Message(2, () => TensorFlowGraphDef!).Message(3, () => s_tfSaver).Fields(AnyMessage, 4, 5, 6, 7);

    public static ProtoShape TensorFlowSavedModel { get; } = new ProtoShape("SavedModel")
        .Field(1, Varint).Message(2, () => TensorFlowMetaGraph);

    // Core ML (Model.proto): the model type is a oneof of fields numbered 200 and up.
    private static readonly ProtoShape s_coreMLFeature = new ProtoShape("FeatureDescription").Fields(PrintableText, 1, 2).Field(3, AnyMessage);
    private static readonly ProtoShape s_coreMLMetadata = new ProtoShape("Metadata").Fields(PrintableText, 1, 2, 3, 4).Field(100, AnyMessage);
    private static readonly ProtoShape s_coreMLDescription = new ProtoShape("ModelDescription")
        .Message(1, () => s_coreMLFeature).Message(10, () => s_coreMLFeature).Fields(PrintableText, 11, 12, 51).Message(13, () => s_coreMLFeature)
        .Message(100, () => s_coreMLMetadata).Field(50, AnyMessage);

    /// <summary>Field numbers of Core ML's <c>Model.Type</c> oneof.</summary>
    public static int[] CoreMLModelTypeFields { get; } =
    {
        200, 201, 202, 300, 301, 302, 303, 304, 400, 401, 402, 403, 404, 500, 501, 502, 555, 556, 560,
        600, 601, 602, 603, 604, 606, 607, 609, 610, 900, 2000, 2001, 2002, 2003, 2004, 2005, 2006, 3000,
    };

    public static ProtoShape CoreMLModel { get; } = new ProtoShape("Model")
        .Field(1, Varint).Message(2, () => s_coreMLDescription).Field(10, Varint)
        .Fields(AnyMessage, CoreMLModelTypeFields);

    // PaddlePaddle (framework.proto).
    private static readonly ProtoShape s_paddleOpVar = new ProtoShape("OpDesc.Var").Fields(Utf8, 1, 2);
    private static readonly ProtoShape s_paddleOp = new ProtoShape("OpDesc")
        .Field(3, Identifier).Message(1, () => s_paddleOpVar).Message(2, () => s_paddleOpVar).Field(4, AnyMessage).Field(5, Varint);
    private static readonly ProtoShape s_paddleVar = new ProtoShape("VarDesc")
        .Field(1, Utf8).Field(2, AnyMessage).Fields(Varint, 3, 4, 5, 6).Field(7, AnyMessage);
    private static readonly ProtoShape s_paddleBlock = new ProtoShape("BlockDesc")
        .Fields(Varint, 1, 2, 5).Message(3, () => s_paddleVar).Message(4, () => s_paddleOp);

    public static ProtoShape PaddleProgram { get; } = new ProtoShape("ProgramDesc")
        .Message(1, () => s_paddleBlock).Field(4, AnyMessage).Field(5, AnyMessage);
}
