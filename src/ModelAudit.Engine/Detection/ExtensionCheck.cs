using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Detection;

/// <summary>
/// Compares a file name's promise with its content. The name never chooses the scanner; a mismatch is itself a
/// finding — a Warning when code-bearing content hides behind a data-only name (CVE-2025-1889, CVE-2025-10155).
/// What each format's expected names are is declared by the format itself (<see cref="ModelFormat.Extensions"/>).
/// </summary>
internal static class ExtensionCheck
{
    // Endings too generic to promise anything: many formats use them.
    private static readonly HashSet<string> s_generic = new(StringComparer.OrdinalIgnoreCase) { "", ".bin", ".dat", ".data", ".model", ".tmp", ".bak" };

    // Names whose content is expected to be a model or weights: unknown content there is not Clean.
    private static readonly HashSet<string> s_modelExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".pt", ".pth", ".bin", ".ckpt", ".pkl", ".pickle", ".joblib", ".sav", ".model", ".safetensors", ".gguf", ".ggml",
        ".onnx", ".npy", ".npz", ".h5", ".hdf5", ".keras", ".tflite", ".pb", ".mar", ".pte", ".ptl", ".dill", ".msgpack",
        ".mlmodel", ".pdparams", ".pdmodel", ".nemo", ".llamafile",

        // R objects and workspaces, and Torch7 files: loading them can run code, so unknown content there is not Clean.
        ".rds", ".rda", ".rdata", ".t7", ".th",

        // TensorRT engines: a plan's runtime may load native code it carries.
        ".engine", ".plan", ".trt",
    };

    private static readonly Lazy<HashSet<string>> s_known = new(() =>
        new HashSet<string>(ScannerRegistry.Default.Formats.SelectMany(f => f.Extensions), StringComparer.OrdinalIgnoreCase));

    public static bool IsModelExtension(string name) => s_modelExtensions.Contains(Path.GetExtension(name));

    // Names whose text a loader reads and may act on (configs, chat templates, code): content that is not text there
    // was not analysed, and is not Clean. Documentation (.md, .txt) is not in the list.
    private static readonly HashSet<string> s_loaderTextExtensions = new(StringComparer.OrdinalIgnoreCase) { ".json", ".yaml", ".yml", ".py", ".jinja" };

    public static bool IsLoaderTextExtension(string name) => s_loaderTextExtensions.Contains(Path.GetExtension(name));

    public static void Report(ScanContext context, string name, IReadOnlyList<Reading> held, ReadOnlySpan<byte> head)
    {
        string extension = Path.GetExtension(name);
        if (held.Count == 0 || s_generic.Contains(extension) || !s_known.Value.Contains(extension))
        {
            return;
        }

        bool Expects(ModelFormat format) => format.Extensions.Contains(extension, StringComparer.OrdinalIgnoreCase);
        Reading? code = held.FirstOrDefault(r => r.Format.IsCodeBearing);
        if (code is not null && !held.Any(r => r.Format.IsCodeBearing && Expects(r.Format)))
        {
            context.Report(RuleIds.CodeBehindDataExtension,
                $"'{name}' is named {extension} but its content is {code.Format}, which runs code when loaded.", 0, $"{extension} != {code.Format}");
            return;
        }

        if (held.Any(r => Expects(r.Format)))
        {
            return;
        }

        // A text .pth is a Python path-configuration file: placed in site-packages, its 'import' lines run at start-up.
        ModelFormat shown = held[0].Format;
        if (extension.Equals(".pth", StringComparison.OrdinalIgnoreCase) && HasImportLine(head))
        {
            // Scanning a Python environment finds these in every site-packages: shown as Info with the line itself.
            // Only when the whole file is in the head: an import line past it would go unseen.
            if (context.Depth == 0 && head.Length < FormatDetector.HeadSize && KnownPathConfiguration.Match(context.Path, System.Text.Encoding.UTF8.GetString(head)) is { } lines)
            {
                context.Report(RuleIds.KnownSitePathConfiguration,
                    $"'{name}' is a standard site-packages .pth file; its import line runs at every start-up: {lines[0]}", 0, lines[0]);
                return;
            }

            context.Report(RuleIds.SitePathConfiguration,
                $"'{name}' is a text .pth file with import lines: Python runs them at start-up if the file lands in site-packages.", 0, ".pth import");
            return;
        }

        context.Report(RuleIds.ExtensionMismatch, $"'{name}' is named {extension} but its content is {shown}.", 0, $"{extension} != {shown}");
    }

    private static bool HasImportLine(ReadOnlySpan<byte> head)
    {
        foreach (string line in System.Text.Encoding.UTF8.GetString(head).Split('\n'))
        {
            if (KnownPathConfiguration.IsImportLine(line.TrimStart()))
            {
                return true;
            }
        }

        return false;
    }
}
