using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.RSerialized;

/// <summary>R's serialization format: what readRDS, unserialize and load read.</summary>
internal static class RFormats
{
    public static ModelFormat RSerialized { get; } = new("RSerialized",
        "R serialized objects and workspaces (saveRDS/serialize .rds, save .RData/.rda; XDR, binary and ASCII)", FormatRisk.CodeBearing,
        ".rds", ".rda", ".rdata");
}
