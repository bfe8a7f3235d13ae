using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Nemo;

internal static class NemoFormats
{
    public static ModelFormat Nemo { get; } = new("Nemo", "NVIDIA NeMo .nemo archives (tar: Hydra model_config.yaml + weights)",
        FormatRisk.Container, ".nemo", ".tar");
}
