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
    public ScannerInfo Info { get; } = new("onnx", "ONNX", new[] { OnnxFormats.Onnx, OnnxFormats.ExternalData });

    // Names exporters give external data: model.onnx.data, model.onnx_data, weights.bin, or one file per tensor named
    // after it (conv1.weight, fc.bias, onnx__MatMul_42).
    private static readonly HashSet<string> s_externalDataEndings = new(StringComparer.OrdinalIgnoreCase)
    {
        "", ".data", ".onnx_data", ".bin", ".weight", ".bias",
    };

    // Raw tensor bytes have no structure of their own, so the name proposes the reading; it is a fallback (it runs only
    // when nothing else holds) and steps aside unless an ONNX model beside the file references it.
    public Reading? Sniff(SniffInput input) =>
        ProtobufClassifier.Classify(input).Kind == ProtobufKind.Onnx ? new Reading(OnnxFormats.Onnx, this, ReadingStrength.Plausible)
        : s_externalDataEndings.Contains(Path.GetExtension(input.Name)) ? new Reading(OnnxFormats.ExternalData, this, ReadingStrength.Plausible)
        : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        if (ReferenceEquals(input.Format, OnnxFormats.ExternalData))
        {
            ScanExternalData(input, context);
            return;
        }

        var reader = new ProtoReader(input.Stream, input.Length ?? long.MaxValue, context.Limits.MaxProtobufNesting, context.CancellationToken);
        var walker = new OnnxModelWalker(reader, context);
        walker.Walk();
    }

    private static void ScanExternalData(ScanInput input, ScanContext context)
    {
        if (context.Depth != 0 || !Path.IsPathFullyQualified(context.Path) || !File.Exists(context.Path))
        {
            throw new NotThisFormatException("only local files are matched against the ONNX models beside them");
        }

        IReadOnlyList<OnnxExternalDataIndex.Reference> references = OnnxExternalDataIndex.ReferencesTo(context.Path, context.Limits, context.CancellationToken);
        if (references.Count == 0)
        {
            throw new NotThisFormatException("no ONNX model beside it names it as external data");
        }

        // The referencing model checks each range against this file's size; here the ranges are recorded as tensors.
        foreach (OnnxExternalDataIndex.Reference reference in references)
        {
            context.ReportTensor(new TensorRegion(reference.Tensor, reference.DType, reference.Shape, reference.Offset, reference.Length ?? 0));
        }
    }
}
