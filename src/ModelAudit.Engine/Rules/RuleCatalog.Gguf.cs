using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

public static partial class RuleCatalog
{
    private const string Reconvert = "Download the model again from its publisher, or convert it again with llama.cpp's convert scripts; do not load a file its own loader would reject.";

    static partial void AddGgufRules(List<ModelRule> rules)
    {
        rules.Add(Rule(ExecutableModel, "Model packaged as an executable", Severity.Warning, FindingCategory.CodeExecution,
            "The file is a native executable (a llamafile, or another program) that carries a model inside it (a GGUF file, or a zip of model files). Running it runs native code that a model scan cannot vouch for; the embedded model was scanned too and its findings are listed separately.",
            "Run such files only from publishers you trust; prefer the plain .gguf model with a runtime you installed yourself."));
        rules.Add(Rule(GgufHeaderInvalid, "GGUF header is not valid", Severity.Warning, FindingCategory.Integrity,
            "The GGUF header breaks the format: counts or string lengths larger than the file, an unknown metadata value type, arrays nested too deep, or a header that ends early. llama.cpp rejects such files; other readers may read crafted data.",
            Reconvert));
        rules.Add(Rule(GgufDuplicateKey, "GGUF metadata key repeated", Severity.Warning, FindingCategory.Integrity,
            "A metadata key appears twice. llama.cpp rejects the file, while readers that keep the first or the last value see different metadata (a different chat template, for instance).",
            Reconvert));
        rules.Add(Rule(GgufAlignmentInvalid, "GGUF alignment is not valid", Severity.Warning, FindingCategory.Integrity,
            "general.alignment is not a non-zero power of two stored as a uint32, so the tensor data cannot be located the way llama.cpp locates it.",
            Reconvert));
        rules.Add(Rule(GgufTensorInfoInvalid, "GGUF tensor description is not valid", Severity.Warning, FindingCategory.Integrity,
            "A tensor has more than the 4 dimensions ggml supports, an unknown ggml type, a row length that is not a multiple of its quantisation block, an element count that overflows, a name of 64 bytes or more, or a name used twice.",
            Reconvert));
        rules.Add(Rule(GgufTensorLayout, "GGUF tensor offsets out of order", Severity.Warning, FindingCategory.Integrity,
            "Tensor offsets do not follow one another as GGUF writers place them (each tensor aligned, in order, no gaps or overlaps). llama.cpp rejects such files; readers that trust the offsets may read crafted or shared bytes.",
            Reconvert));
        rules.Add(Rule(GgufOutOfBounds, "GGUF tensor data out of bounds or truncated", Severity.Warning, FindingCategory.Integrity,
            "A tensor's data ends past the end of the file: the download is incomplete or the offsets are crafted.",
            "Download the file again; convert it again if the problem persists."));
        rules.Add(Rule(GgmlLegacyFormat, "Legacy GGML model", Severity.Info, FindingCategory.Integrity,
            "The file uses a pre-GGUF llama.cpp format (GGML, GGMF, GGJT or a GGLA adapter) that current llama.cpp no longer loads. Its structure was checked; it carries no metadata or templates.",
            "Convert the model to GGUF with llama.cpp's conversion scripts."));
        rules.Add(Rule(NumPyHeaderCrafted, "NumPy header not written by numpy", Severity.Warning, FindingCategory.Integrity,
            "The .npy header dictionary repeats a key, spells a string with escapes, prefixes or implicit concatenation, or otherwise differs from what numpy writes. numpy reads it with ast.literal_eval, which keeps the last repeated key and decodes every spelling, while simpler parsers see something else: a known way to hide an object (pickle) array.",
            Review));
    }
}
