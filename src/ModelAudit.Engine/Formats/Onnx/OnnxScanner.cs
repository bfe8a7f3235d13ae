using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Onnx;

/// <summary>
/// Scans ONNX models at the wire level (field numbers from onnx.proto): the main graph, every subgraph in node
/// attributes (If/Loop/Scan bodies, at any depth up to the protobuf nesting limit), training graphs and model-local
/// functions. Reports Python-calling operators, operators from custom domains and external data that escapes the
/// model's folder or does not fit its file; doc strings, producer and metadata_props go to the analyzers. Tensor
/// payloads are skipped by length, so a model past protobuf's 2 GB limit scans in bounded memory.
/// </summary>
internal sealed class OnnxScanner : IFormatScanner
{
    public ScannerInfo Info { get; } = new("onnx", "ONNX", new[] { OnnxFormats.Onnx });

    // External data files beside a model are attributed to it by OnnxExternalDataResolver (the companion scanner).
    public Reading? Sniff(SniffInput input) =>
        ProtobufClassifier.Classify(input).Kind == ProtobufKind.Onnx ? new Reading(OnnxFormats.Onnx, this, ReadingStrength.Plausible) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        var reader = new ProtoReader(input.Stream, input.Length ?? long.MaxValue, context.Limits.MaxProtobufNesting, context.CancellationToken);
        var walker = new OnnxModelWalker(reader, context);
        walker.Walk();
    }
}
