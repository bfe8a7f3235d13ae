using ModelAudit.Engine.Containers;
using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Keras;

/// <summary>The Keras v3 .keras archive: saving_lib writes metadata.json, config.json and model.weights.h5 at its root.</summary>
internal sealed class KerasArchiveLayout : IArchiveLayout
{
    public const string ConfigMember = "config.json";
    public const string MetadataMember = "metadata.json";

    public ModelFormat Format => KerasFormats.Archive;

    public bool Recognizes(string archiveName, IReadOnlyCollection<string> memberNames) =>
        memberNames.Contains(ConfigMember)
        && (memberNames.Contains(MetadataMember) || archiveName.EndsWith(".keras", StringComparison.OrdinalIgnoreCase));

    public ArchiveInspection Begin() => new KerasArchiveInspection();
}
