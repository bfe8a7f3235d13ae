using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>
/// Takes protobuf that fits more than one model format equally well (and whose name does not decide): no format's
/// scanner can claim it, so coverage is Inconclusive, naming the candidates.
/// </summary>
internal sealed class AmbiguousProtobufScanner : IFormatScanner
{
    public ScannerInfo Info { get; } = new("protobuf", "Protobuf", new[] { ProtobufFormats.Ambiguous });

    public Reading? Sniff(SniffInput input) =>
        ProtobufClassifier.Classify(input).IsAmbiguous ? new Reading(ProtobufFormats.Ambiguous, this, ReadingStrength.Plausible) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        var classification = ProtobufClassifier.Classify(new SniffInput(input.Head, input.Length, input.Name));
        string candidates = string.Join(", ", classification.Candidates);
        context.ReportInconclusive(RuleIds.ProtobufAmbiguous,
            $"'{input.Name}' is protobuf whose field structure fits {candidates}; none of them can be told apart, so it was not scanned as any.",
            0, candidates);
    }
}
