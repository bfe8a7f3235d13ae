using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.TensorFlow;

/// <summary>
/// Scans TensorFlow graphs at the wire level: SavedModel (<c>saved_model.pb</c>), MetaGraphDef (<c>.meta</c>) and
/// frozen GraphDef (<c>.pb</c>). Every node of the main graph and of every function in <c>graph_def.library</c> is
/// judged by its op; the standard saver's checkpoint ops are recognised and not flagged. Constant tensors are
/// skipped by length.
/// </summary>
internal sealed class TensorFlowScanner : IFormatScanner
{
    public ScannerInfo Info { get; } = new("tensorflow", "TensorFlow",
        new[] { TensorFlowFormats.SavedModel, TensorFlowFormats.MetaGraph, TensorFlowFormats.GraphDef });

    public Reading? Sniff(SniffInput input) => ProtobufClassifier.Classify(input).Kind switch
    {
        ProtobufKind.TensorFlowSavedModel => new Reading(TensorFlowFormats.SavedModel, this, ReadingStrength.Plausible),
        ProtobufKind.TensorFlowMetaGraph => new Reading(TensorFlowFormats.MetaGraph, this, ReadingStrength.Plausible),
        ProtobufKind.TensorFlowGraphDef => new Reading(TensorFlowFormats.GraphDef, this, ReadingStrength.Plausible),
        _ => null,
    };

    public void Scan(ScanInput input, ScanContext context)
    {
        var reader = new ProtoReader(input.Stream, input.Length ?? long.MaxValue, context.Limits.MaxProtobufNesting, context.CancellationToken);
        var walker = new TensorFlowGraphWalker(reader, context);
        if (ReferenceEquals(input.Format, TensorFlowFormats.SavedModel))
        {
            walker.WalkSavedModel();
        }
        else if (ReferenceEquals(input.Format, TensorFlowFormats.MetaGraph))
        {
            walker.WalkMetaGraph();
        }
        else
        {
            walker.WalkGraphDefFile();
        }
    }
}
