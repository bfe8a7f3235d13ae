using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>
/// Tells protobuf model formats apart by field structure: each format's top-level message shape
/// (<see cref="ProtobufShapes"/>) is checked against the head, nested messages included, with the required fields of
/// each format. The file name only breaks a tie between formats the bytes fit equally well; it never makes bytes a
/// format they do not fit. <c>keras_metadata.pb</c> belongs to the Keras scanner and is left alone.
/// </summary>
internal static class ProtobufClassifier
{
    // Fewer checked fields than this is too little evidence: short runs of random bytes decode as protobuf.
    private const int MinimumFields = 3;

    // Highest ir_version and Core ML specificationVersion plausible for years to come (ONNX is at 11, Core ML at 9).
    private const ulong MaxFormatVersion = 64;

    [ThreadStatic]
    private static (byte[] Head, string Name, ProtobufClassification Result)? t_last;

    /// <summary>The classification of a sniffed head; every protobuf scanner asks, so the last answer is kept per thread.</summary>
    public static ProtobufClassification Classify(SniffInput input)
    {
        if (t_last is { } last && ReferenceEquals(last.Head, input.Head) && last.Name == input.Name)
        {
            return last.Result;
        }

        ProtobufClassification result = ClassifyUncached(input);
        t_last = (input.Head, input.Name, result);
        return result;
    }

    private static ProtobufClassification ClassifyUncached(SniffInput input)
    {
        if (IsKerasMetadata(input.Name) || input.Head.Length < 2)
        {
            return ProtobufClassification.None;
        }

        var candidates = new List<ProtobufKind>();
        foreach (ProtobufKind kind in Enum.GetValues<ProtobufKind>())
        {
            ProtoShapeMatch match = ProtoShapeMatch.Of(input.Head, input.HeadIsWhole, ShapeOf(kind));
            if (match.Matches && match.FieldsMatched >= MinimumFields && HasRequiredFields(kind, match))
            {
                candidates.Add(kind);
            }
        }

        if (candidates.Count == 1)
        {
            return new ProtobufClassification(candidates[0], candidates);
        }

        ProtobufKind? hinted = NameHint(input.Name);
        return hinted is { } hint && candidates.Contains(hint)
            ? new ProtobufClassification(hint, candidates)
            : new ProtobufClassification(null, candidates);
    }

    /// <summary>True for the Keras SavedModel metadata file, which the Keras scanner reads.</summary>
    public static bool IsKerasMetadata(string name) =>
        Path.GetFileName(name).Equals("keras_metadata.pb", StringComparison.OrdinalIgnoreCase);

    private static ProtoShape ShapeOf(ProtobufKind kind) => kind switch
    {
        ProtobufKind.Onnx => ProtobufShapes.OnnxModel,
        ProtobufKind.TensorFlowSavedModel => ProtobufShapes.TensorFlowSavedModel,
        ProtobufKind.TensorFlowMetaGraph => ProtobufShapes.TensorFlowMetaGraph,
        ProtobufKind.TensorFlowGraphDef => ProtobufShapes.TensorFlowGraphDef,
        ProtobufKind.CoreML => ProtobufShapes.CoreMLModel,
        _ => ProtobufShapes.PaddleProgram,
    };

    private static bool HasRequiredFields(ProtobufKind kind, ProtoShapeMatch m) => kind switch
    {
        // ir_version first, then a graph or opset imports.
        ProtobufKind.Onnx => m.TopVarints.TryGetValue(1, out ulong ir) && ir is >= 1 and <= MaxFormatVersion
            && (m.TopFields.Contains(7) || m.TopFields.Contains(8)),

        // saved_model_schema_version (1 in every TensorFlow release) and meta_graphs.
        ProtobufKind.TensorFlowSavedModel => m.TopVarints.TryGetValue(1, out ulong schema) && schema is >= 1 and <= MaxFormatVersion
            && m.TopFields.Contains(2),
        ProtobufKind.TensorFlowMetaGraph => m.TopFields.Contains(1) || m.TopFields.Contains(2),
        ProtobufKind.TensorFlowGraphDef => m.TopFields.Contains(1) || m.TopFields.Contains(4),

        // specificationVersion and a description or a model type.
        ProtobufKind.CoreML => m.TopVarints.TryGetValue(1, out ulong spec) && spec is >= 1 and <= MaxFormatVersion
            && (m.TopFields.Contains(2) || m.TopFields.Any(f => f >= 200)),
        _ => m.TopFields.Contains(1),
    };

    private static ProtobufKind? NameHint(string name)
    {
        string file = Path.GetFileName(name);
        string extension = Path.GetExtension(file);
        if (file.Equals("saved_model.pb", StringComparison.OrdinalIgnoreCase))
        {
            return ProtobufKind.TensorFlowSavedModel;
        }

        if (file.Equals("__model__", StringComparison.Ordinal))
        {
            return ProtobufKind.Paddle;
        }

        return extension.ToLowerInvariant() switch
        {
            ".onnx" => ProtobufKind.Onnx,
            ".meta" => ProtobufKind.TensorFlowMetaGraph,
            ".pb" => ProtobufKind.TensorFlowGraphDef,
            ".mlmodel" => ProtobufKind.CoreML,
            ".pdmodel" => ProtobufKind.Paddle,
            _ => null,
        };
    }
}
