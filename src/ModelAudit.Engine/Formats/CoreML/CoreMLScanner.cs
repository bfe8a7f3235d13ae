using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.CoreML;

/// <summary>
/// Scans Core ML: model specifications (.mlmodel protobuf: custom layers and models, linked model paths, metadata to
/// the analyzers) and the parts of .mlpackage folders (the manifest's item paths, the ML Program weight file's
/// blob bounds).
/// </summary>
internal sealed class CoreMLScanner : IFormatScanner
{
    public ScannerInfo Info { get; } = new("coreml", "CoreML", new[] { CoreMLFormats.Model, CoreMLFormats.Weights, CoreMLFormats.PackageManifest });

    public Reading? Sniff(SniffInput input)
    {
        if (CoreMLPackageManifest.LooksLikeManifest(input.Name, input.Head))
        {
            return new Reading(CoreMLFormats.PackageManifest, this, ReadingStrength.Structural);
        }

        if (CoreMLWeightBlobs.LooksLikeWeights(input.Head))
        {
            return new Reading(CoreMLFormats.Weights, this, ReadingStrength.Structural);
        }

        return ProtobufClassifier.Classify(input).Kind == ProtobufKind.CoreML ? new Reading(CoreMLFormats.Model, this, ReadingStrength.Plausible) : null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        if (ReferenceEquals(input.Format, CoreMLFormats.PackageManifest))
        {
            CoreMLPackageManifest.Check(input.Stream, context);
        }
        else if (ReferenceEquals(input.Format, CoreMLFormats.Weights))
        {
            CoreMLWeightBlobs.Walk(input.Stream, input.Length, context);
        }
        else
        {
            var reader = new ProtoReader(input.Stream, input.Length ?? long.MaxValue, context.Limits.MaxProtobufNesting, context.CancellationToken);
            new CoreMLModelWalker(reader, context).WalkModel("model");
        }
    }
}
