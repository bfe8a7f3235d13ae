using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Companion;

/// <summary>
/// Files a model beside them reads as its data: ONNX external data, OpenVINO weights, TensorFlow checkpoint shards.
/// Their bytes are raw tensors, so the name proposes the reading; it is a fallback (it runs only when no other reading
/// of the bytes held, so a pickle or an archive under such a name is still scanned as one) and it steps aside unless a
/// resolver finds the model on the local disk that reads the file. A claimed file is shown as that model's data, with
/// an Info finding naming the model, instead of "unknown content".
/// </summary>
internal sealed class CompanionDataScanner : IFormatScanner
{
    private readonly IReadOnlyList<ICompanionResolver> _resolvers;

    public CompanionDataScanner(params ICompanionResolver[] resolvers)
    {
        _resolvers = resolvers;
        Info = new ScannerInfo("companion", "Model data files", resolvers.Select(r => r.Format).ToArray());
    }

    public ScannerInfo Info { get; }

    public Reading? Sniff(SniffInput input) =>
        _resolvers.FirstOrDefault(r => r.MayClaim(input.Name)) is { } resolver ? new Reading(resolver.Format, this, ReadingStrength.Plausible) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        // Only a file on the local disk has siblings to ask; a member of an archive or a remote object has none here.
        if (context.Depth != 0 || !Path.IsPathFullyQualified(context.Path) || !File.Exists(context.Path))
        {
            throw new NotThisFormatException("only local files are matched against the models beside them");
        }

        foreach (ICompanionResolver resolver in _resolvers.Where(r => r.MayClaim(input.Name)))
        {
            if (resolver.Claim(context.Path, context.Limits, context.CancellationToken) is not { } claim)
            {
                continue;
            }

            // The owner relative to the data file's folder: stable evidence (fingerprints) wherever the folder is.
            string owner = Path.GetRelativePath(Path.GetDirectoryName(context.Path)!, claim.Owner);
            context.SetFormat(resolver.Format);
            context.Report(RuleIds.CompanionDataFile,
                $"'{Path.GetFileName(context.Path)}' is data of the model '{owner}' ({resolver.Format.Description}); that model's scan checks what it reads from it.",
                null, owner);
            foreach (TensorRegion tensor in claim.Tensors)
            {
                context.ReportTensor(tensor);
            }

            return;
        }

        throw new NotThisFormatException("no model beside it reads it as its data");
    }
}
