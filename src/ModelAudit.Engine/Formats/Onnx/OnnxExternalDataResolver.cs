using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Companion;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Onnx;

/// <summary>Attributes a file to the ONNX model near it that names it as the external data of its tensors.</summary>
internal sealed class OnnxExternalDataResolver : ICompanionResolver
{
    // Names exporters give external data: model.onnx.data, model.onnx_data, weights.bin, or one file per tensor named
    // after it (conv1.weight, fc.bias, onnx__MatMul_42).
    private static readonly HashSet<string> s_externalDataEndings = new(StringComparer.OrdinalIgnoreCase)
    {
        "", ".data", ".onnx_data", ".bin", ".weight", ".bias",
    };

    public ModelFormat Format => OnnxFormats.ExternalData;

    public bool MayClaim(string name) => s_externalDataEndings.Contains(Path.GetExtension(name));

    public CompanionClaim? Claim(string dataPath, ScanLimits limits, CancellationToken cancellationToken)
    {
        IReadOnlyList<OnnxExternalDataIndex.Reference> references = OnnxExternalDataIndex.ReferencesTo(dataPath, limits, cancellationToken);
        return references.Count == 0 ? null : new CompanionClaim(references[0].Model,
            references.Select(r => new TensorRegion(r.Tensor, r.DType, r.Shape, r.Offset, r.Length ?? 0)).ToArray());
    }
}
