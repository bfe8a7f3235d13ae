using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.NumPy;

internal static class NumPyFormats
{
    public static ModelFormat NumPy { get; } = new("NumPy", "NumPy .npy arrays; object arrays carry pickles", FormatRisk.Data, ".npy");
}
