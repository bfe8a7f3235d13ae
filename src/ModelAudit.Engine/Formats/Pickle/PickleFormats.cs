using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>The pickle family: what the symbolic VM reads.</summary>
internal static class PickleFormats
{
    public static ModelFormat Pickle { get; } = new("Pickle", "Python pickle, protocols 0–5, dill and cloudpickle", FormatRisk.CodeBearing,
        ".pkl", ".pickle", ".pt", ".pth", ".ckpt", ".joblib", ".dill", ".sav", ".bin", ".p");

    public static ModelFormat Joblib { get; } = new("Joblib", "joblib dumps (pickles with NumPy arrays written inline)", FormatRisk.CodeBearing,
        ".joblib", ".pkl", ".pickle", ".sav");

    public static ModelFormat PyTorchLegacy { get; } = new("PyTorchLegacy", "PyTorch's legacy format: stacked pickles and raw storages",
        FormatRisk.CodeBearing, ".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".bin");
}
