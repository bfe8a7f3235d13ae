using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.ExecuTorch;

/// <summary>ExecuTorch programs: a flatbuffer program with optional data segments appended.</summary>
internal static class ExecuTorchFormats
{
    public static ModelFormat Program { get; } = new("ExecuTorch", "ExecuTorch program (.pte: flatbuffer program and data segments)", FormatRisk.Data, ".pte");
}
