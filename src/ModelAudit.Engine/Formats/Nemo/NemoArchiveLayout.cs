using ModelAudit.Engine.Containers;
using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Nemo;

/// <summary>A .nemo archive: save_to writes a tar of model_config.yaml (Hydra) and model_weights.ckpt, names often "./"-prefixed.</summary>
internal sealed class NemoArchiveLayout : IArchiveLayout
{
    public ModelFormat Format => NemoFormats.Nemo;

    public bool Recognizes(string archiveName, IReadOnlyCollection<string> memberNames) =>
        archiveName.EndsWith(".nemo", StringComparison.OrdinalIgnoreCase) || memberNames.Any(n => n is "model_config.yaml" or "./model_config.yaml");

    public ArchiveInspection Begin() => new HydraConfigInspection();
}
