using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Data;

internal static class DataFormats
{
    public static ModelFormat SentencePiece { get; } = new("SentencePiece", "SentencePiece tokenizer models (data only)", FormatRisk.Data, ".model");

    public static ModelFormat Media { get; } = new("Media", "Images and PDFs beside models (data only; appended archives are still found)",
        FormatRisk.Data, ".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf");
}
