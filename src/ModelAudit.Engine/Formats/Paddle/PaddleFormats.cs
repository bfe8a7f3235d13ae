using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Paddle;

internal static class PaddleFormats
{
    public static ModelFormat Program { get; } = new("PaddleProgram", "PaddlePaddle program (ProgramDesc, .pdmodel)", FormatRisk.Data, ".pdmodel");

    public static ModelFormat Params { get; } = new("PaddleParams", "PaddlePaddle combined parameters (.pdiparams)", FormatRisk.Data, ".pdiparams");
}
