using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Text;

internal static class TextFormats
{
    public static ModelFormat Json { get; } = new("Json", "JSON text (configs, tokenizers)", FormatRisk.Data, ".json", ".yaml", ".yml", ".txt", ".jsonl");

    public static ModelFormat Yaml { get; } = new("Yaml", "YAML text", FormatRisk.Data, ".yaml", ".yml", ".txt", ".md");

    public static ModelFormat Text { get; } = new("Text", "Other UTF-8 text", FormatRisk.Data, ".txt", ".md", ".json", ".yaml", ".yml", ".py", ".jinja");
}
