using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Joblib;

/// <summary>joblib's own file layouts that are not a plain pickle.</summary>
internal static class JoblibFormats
{
    public static ModelFormat JoblibZfile { get; } = new("JoblibZfile",
        "legacy joblib (≤ 0.9) compressed pickles: 'ZF', a hex length, then a zlib stream", FormatRisk.CodeBearing,
        ".pkl", ".pickle", ".joblib", ".z");
}
