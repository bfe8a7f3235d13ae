using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Torch7;

/// <summary>Lua Torch's serialization (torch.save / torch.load, File.lua).</summary>
internal static class Torch7Formats
{
    public static ModelFormat Torch7 { get; } = new("Torch7", "Lua Torch serialized objects (torch.save: .t7, .th)", FormatRisk.CodeBearing, ".t7", ".th");
}
