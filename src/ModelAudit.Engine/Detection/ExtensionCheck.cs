using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;
using static ModelAudit.Engine.Detection.ModelFormat;

namespace ModelAudit.Engine.Detection;

/// <summary>
/// Compares a file name's promise with its content. The name never chooses the scanner; a mismatch is itself a
/// finding — a Warning when code-bearing content hides behind a data-only extension (CVE-2025-1889, CVE-2025-10155).
/// </summary>
internal static class ExtensionCheck
{
    private static readonly Dictionary<string, ModelFormat[]> s_expected = new(StringComparer.OrdinalIgnoreCase)
    {
        [".safetensors"] = new[] { SafeTensors },
        [".gguf"] = new[] { Gguf },
        [".ggml"] = new[] { Ggml, Gguf },
        [".onnx"] = new[] { Onnx, Protobuf },
        [".npy"] = new[] { NumPy },
        [".npz"] = new[] { NumPyZip, Zip },
        [".h5"] = new[] { Hdf5 },
        [".hdf5"] = new[] { Hdf5 },
        [".keras"] = new[] { Keras, Zip, Hdf5 },
        [".tflite"] = new[] { TFLite },
        [".json"] = new[] { Json, Text },
        [".yaml"] = new[] { Yaml, Text, Json },
        [".yml"] = new[] { Yaml, Text, Json },
        [".txt"] = new[] { Text, Json, Yaml },
        [".md"] = new[] { Text, Yaml },
        [".pb"] = new[] { Protobuf, Onnx },
        [".zip"] = new[] { Zip, PyTorchZip, TorchScript, NumPyZip, Keras },
        [".pt"] = new[] { PyTorchZip, TorchScript, Pickle, PyTorchLegacy, PyTorchLegacyTar, Tar, Zip },
        [".pth"] = new[] { PyTorchZip, TorchScript, Pickle, PyTorchLegacy, PyTorchLegacyTar, Tar, Zip },
        [".ckpt"] = new[] { PyTorchZip, TorchScript, Pickle, PyTorchLegacy, PyTorchLegacyTar, Tar, Zip, Hdf5, Protobuf },
        [".pkl"] = new[] { Pickle, Joblib, PyTorchLegacy, Zip, PyTorchZip, Gzip, Bzip2, Xz, Zlib, Lzma, Lz4, Zstd },
        [".pickle"] = new[] { Pickle, Joblib, PyTorchLegacy, Zip, PyTorchZip, Gzip, Bzip2, Xz, Zlib, Lzma, Lz4, Zstd },
        [".joblib"] = new[] { Pickle, Joblib, Zlib, Gzip, Bzip2, Xz, Lzma, Lz4, Zstd },
        [".tar"] = new[] { Tar, PyTorchLegacyTar },
        [".gz"] = new[] { Gzip },
        [".tgz"] = new[] { Gzip },
        [".bz2"] = new[] { Bzip2 },
        [".xz"] = new[] { Xz },
        [".zst"] = new[] { Zstd },
        [".7z"] = new[] { SevenZip },
    };

    // Names whose content is expected to be a model or weights: unknown content there is not Clean.
    private static readonly HashSet<string> s_modelExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".pt", ".pth", ".bin", ".ckpt", ".pkl", ".pickle", ".joblib", ".sav", ".model", ".safetensors", ".gguf", ".ggml",
        ".onnx", ".npy", ".npz", ".h5", ".hdf5", ".keras", ".tflite", ".pb", ".mar", ".pte", ".ptl", ".dill", ".msgpack",
        ".mlmodel", ".pdparams", ".pdmodel", ".nemo", ".llamafile",
    };

    private static readonly HashSet<ModelFormat> s_codeBearing = new() { Pickle, Joblib, PyTorchLegacy, PyTorchZip, TorchScript, Elf, PE, MachO };

    public static bool IsModelExtension(string name) => s_modelExtensions.Contains(Path.GetExtension(name));

    public static void Report(ScanContext context, string name, ModelFormat format, ReadOnlySpan<byte> head)
    {
        if (format is Empty or GitLfsPointer or Unknown)
        {
            return;
        }

        string extension = Path.GetExtension(name);
        if (!s_expected.TryGetValue(extension, out ModelFormat[]? expected) || expected.Contains(format))
        {
            return;
        }

        // A text .pth is a Python path-configuration file: placed in site-packages, its 'import' lines run at start-up.
        bool sitePth = extension.Equals(".pth", StringComparison.OrdinalIgnoreCase) && format == Text && HasImportLine(head);
        bool dangerous = sitePth || (s_codeBearing.Contains(format) && !expected.Any(s_codeBearing.Contains));
        context.Report(RuleIds.ExtensionMismatch,
            sitePth
                ? $"'{name}' is a text .pth file with import lines: Python runs them at start-up if the file lands in site-packages."
                : $"'{name}' is named {extension} but its content is {format}.", 0, $"{extension} != {format}",
            severity: dangerous ? Severity.Warning : Severity.Info);
    }

    private static bool HasImportLine(ReadOnlySpan<byte> head)
    {
        foreach (string line in System.Text.Encoding.UTF8.GetString(head).Split('\n'))
        {
            if (line.TrimStart().StartsWith("import ", StringComparison.Ordinal) || line.TrimStart().StartsWith("import\t", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
