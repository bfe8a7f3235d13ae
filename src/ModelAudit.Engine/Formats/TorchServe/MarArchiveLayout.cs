using ModelAudit.Engine.Containers;
using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.TorchServe;

/// <summary>A TorchServe .mar: torch-model-archiver writes MAR-INF/MANIFEST.json beside the files it names.</summary>
internal sealed class MarArchiveLayout : IArchiveLayout
{
    public const string ManifestMember = "MAR-INF/MANIFEST.json";

    public ModelFormat Format => TorchServeFormats.Mar;

    public bool Recognizes(string archiveName, IReadOnlyCollection<string> memberNames) =>
        memberNames.Contains(ManifestMember) || archiveName.EndsWith(".mar", StringComparison.OrdinalIgnoreCase);

    public ArchiveInspection Begin() => new MarManifestInspection();
}
