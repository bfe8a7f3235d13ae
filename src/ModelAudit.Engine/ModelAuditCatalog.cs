using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine;

/// <summary>What the engine knows: rules and formats, as pipeline objects.</summary>
public static class ModelAuditCatalog
{
    private static readonly Dictionary<ModelFormat, (string Description, string[] Extensions)> s_descriptions = new()
    {
        [ModelFormat.Pickle] = ("Python pickle, protocols 0–5, dill and cloudpickle", new[] { ".pkl", ".pickle", ".dill", ".bin", ".sav" }),
        [ModelFormat.Zip] = ("Zip archives and their model flavours: PyTorch, TorchScript, NumPy .npz, Keras", new[] { ".zip", ".pt", ".pth", ".npz", ".keras" }),
        [ModelFormat.Tar] = ("Tar archives, including PyTorch's legacy tar checkpoints", new[] { ".tar" }),
        [ModelFormat.Gzip] = ("gzip-compressed content", new[] { ".gz", ".tgz" }),
        [ModelFormat.Bzip2] = ("bzip2-compressed content", new[] { ".bz2" }),
        [ModelFormat.Xz] = ("xz-compressed content", new[] { ".xz" }),
        [ModelFormat.Zstd] = ("Zstandard-compressed content", new[] { ".zst" }),
        [ModelFormat.Zlib] = ("zlib-compressed content (joblib compress=…)", new[] { ".z", ".joblib" }),
        [ModelFormat.Lzma] = ("LZMA-alone compressed content (joblib)", new[] { ".lzma" }),
        [ModelFormat.Lz4] = ("LZ4 frames (joblib lz4 compression)", new[] { ".lz4" }),
        [ModelFormat.NumPy] = ("NumPy .npy arrays; object arrays carry pickles", new[] { ".npy" }),
        [ModelFormat.SafeTensors] = ("SafeTensors weights", new[] { ".safetensors" }),
        [ModelFormat.GitLfsPointer] = ("Git LFS pointer files", Array.Empty<string>()),
        [ModelFormat.Json] = ("JSON text (configs, tokenizers)", new[] { ".json" }),
        [ModelFormat.Yaml] = ("YAML text", new[] { ".yaml", ".yml" }),
        [ModelFormat.Text] = ("Other UTF-8 text", new[] { ".txt", ".md" }),
        [ModelFormat.Elf] = ("ELF executables", new[] { ".so", "" }),
        [ModelFormat.PE] = ("Windows PE executables", new[] { ".exe", ".dll" }),
        [ModelFormat.MachO] = ("Mach-O executables", new[] { ".dylib" }),
        [ModelFormat.Gguf] = ("GGUF (llama.cpp) models", new[] { ".gguf" }),
        [ModelFormat.Ggml] = ("Legacy GGML/GGJT models", new[] { ".ggml", ".bin" }),
        [ModelFormat.Onnx] = ("ONNX models", new[] { ".onnx" }),
        [ModelFormat.Protobuf] = ("Other protobuf models (TensorFlow, Core ML, Paddle)", new[] { ".pb", ".mlmodel", ".pdmodel" }),
        [ModelFormat.TFLite] = ("TensorFlow Lite flatbuffers", new[] { ".tflite" }),
        [ModelFormat.Hdf5] = ("HDF5 (Keras .h5)", new[] { ".h5", ".hdf5" }),
        [ModelFormat.SentencePiece] = ("SentencePiece tokenizer models (data only)", new[] { ".model" }),
        [ModelFormat.Media] = ("Images and PDFs beside models (data only; appended archives are still found)", new[] { ".png", ".jpg", ".gif", ".webp", ".pdf" }),
        [ModelFormat.SevenZip] = ("7-Zip archives, solid or not", new[] { ".7z" }),
    };

    /// <summary>Every rule, ordered by id.</summary>
    public static IReadOnlyList<ModelRule> Rules => RuleCatalog.All;

    /// <summary>Every recognised format, with its scanner (or none yet).</summary>
    public static IReadOnlyList<ModelScannerInfo> Scanners { get; } = s_descriptions
        .Select(pair =>
        {
            IFormatScanner? scanner = ScannerRegistry.Default.ScannerFor(pair.Key);
            return new ModelScannerInfo(pair.Key.ToString(), scanner?.Name, scanner is not null, pair.Value.Description, pair.Value.Extensions);
        })
        .OrderBy(s => s.Format, StringComparer.Ordinal)
        .ToArray();

    /// <summary>Runs a scan that records the symbolic trace of every pickle in <paramref name="item"/>.</summary>
    public static IReadOnlyList<PickleTraceEntry> TracePickles(ScanItem item, ScanOptions options, CancellationToken cancellationToken)
    {
        var trace = new List<PickleTraceEntry>();
        new ScanEngine(options).Scan(item, cancellationToken, trace);
        return trace;
    }
}
