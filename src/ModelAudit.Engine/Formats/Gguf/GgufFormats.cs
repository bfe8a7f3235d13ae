using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Gguf;

internal static class GgufFormats
{
    public static ModelFormat Gguf { get; } = new("Gguf", "GGUF (llama.cpp) models", FormatRisk.Data, ".gguf", ".ggml", ".bin");

    public static ModelFormat Ggml { get; } = new("Ggml", "Legacy GGML/GGMF/GGJT models", FormatRisk.Data, ".ggml", ".bin");
}
