namespace ModelAudit.Engine.Analyzers.Versions;

/// <summary>
/// CVEs of the model-loading code of ML frameworks, by affected version range (from the vendors' advisories as the
/// anchor study lists them). Only loading-path issues are listed: they are the ones a model file can trigger.
/// </summary>
internal static class KnownVulnerabilities
{
    private static readonly Dictionary<string, string> s_aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["pytorch"] = "torch",
        ["scikit-learn"] = "sklearn",
        ["scikit_learn"] = "sklearn",
        ["tf-keras"] = "keras",
    };

    private static readonly KnownVulnerability[] s_all =
    {
        V("torch", null, "1.13.1", "CVE-2022-45907", "torch.jit.annotations.parse_type_line evaluates type comments"),
        V("torch", null, "2.2.3", "CVE-2024-5480", "torch.distributed.rpc runs PythonUDF payloads"),
        V("torch", null, "2.5.0", "CVE-2024-48063", "RemoteModule deserialization runs code"),
        V("torch", null, "2.6.0", "CVE-2025-32434", "torch.load(weights_only=True) can still run code"),
        V("torch", null, "2.10.0", "CVE-2026-24747", "weights_only unpickler bypass through SETITEM on non-dicts"),
        V("transformers", null, "4.36.0", "CVE-2023-6730", "RagRetriever loads pickled index files"),
        V("transformers", null, "4.36.0", "CVE-2023-7018", "TransfoXL tokenizer loads pickled vocabularies"),
        V("transformers", null, "4.38.0", "CVE-2024-3568", "TFPreTrainedModel checkpoint loading unpickles"),
        V("transformers", null, "4.48.0", "CVE-2024-11392", "MobileViTV2 configuration deserialization"),
        V("transformers", null, "4.48.0", "CVE-2024-11393", "MaskFormer model deserialization"),
        V("transformers", null, "4.48.0", "CVE-2024-11394", "Trax model deserialization"),
        V("keras", null, "2.13.0", "CVE-2024-3660", "Lambda layers run code even in safe mode"),
        V("keras", "3.0.0", "3.9.0", "CVE-2025-1550", "config.json module references import arbitrary code"),
        V("keras", "3.0.0", "3.11.3", "CVE-2025-9905", "H5 models ignore safe_mode for Lambda layers"),
        V("keras", "3.11.0", "3.11.3", "CVE-2025-49655", "TorchModuleWrapper calls torch.load"),
        V("onnx", null, "1.13.0", "CVE-2022-25882", "external_data paths traverse out of the model folder"),
        V("onnx", null, "1.16.0", "CVE-2024-27318", "external_data path traversal (bypass of the 1.13 fix)"),
        V("onnx", null, "1.18.0", "CVE-2025-51480", "onnx.save writes external data outside the model folder"),
        V("sklearn", null, "0.24.0", "CVE-2020-13092", "joblib.load of untrusted models runs code"),
        V("sklearn", null, "1.5.0", "CVE-2024-5206", "TfidfVectorizer keeps training tokens in stop_words_"),
        V("numpy", null, "1.16.3", "CVE-2019-6446", "numpy.load allows pickles by default"),
    };

    public static string Normalize(string package)
    {
        string name = package.Trim().ToLowerInvariant().Replace('_', '-');
        return s_aliases.TryGetValue(name, out string? canonical) ? canonical : name;
    }

    /// <summary>The CVEs that affect this release of this package.</summary>
    public static IReadOnlyList<KnownVulnerability> For(string package, PackageVersion version)
    {
        string name = Normalize(package);
        return s_all.Where(v => v.Package == name && v.Affects(version)).ToArray();
    }

    private static KnownVulnerability V(string package, string? introduced, string fixedIn, string cve, string summary) =>
        new(package, introduced is null ? null : PackageVersion.Parse(introduced), PackageVersion.Parse(fixedIn)!.Value, cve, summary);
}
