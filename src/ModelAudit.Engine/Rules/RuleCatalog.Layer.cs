using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

/// <summary>Rules of the layer formats (Keras, skops, NeMo, TorchServe).</summary>
public static partial class RuleCatalog
{
    private const string UseSafeMode = "Do not load this model. If it must be used, load it with the latest Keras and safe_mode=True, in an isolated environment, after reviewing its config.";

    static partial void AddLayerRules(List<ModelRule> rules) => rules.AddRange(new[]
    {
        Rule(KerasLambdaDangerousCode, "Keras Lambda layer with dangerous code", Severity.Critical, FindingCategory.CodeExecution,
            "A Keras Lambda layer carries a marshalled Python function (base64 in its config) whose code names os, subprocess, exec, eval, __import__ or similar. Keras rebuilds and runs that function when the model is loaded (always for legacy H5 before 3.11.3, and whenever safe_mode is off).",
            DoNotLoad, "CVE-2024-3660", "CVE-2025-9905"),
        Rule(KerasLambdaLayer, "Keras Lambda layer", Severity.Warning, FindingCategory.CodeExecution,
            "A Keras Lambda layer carries Python code (a marshalled function or a reference to one) that runs when the model is loaded without safe_mode. Its code names nothing known to be dangerous, but it is arbitrary bytecode.",
            UseSafeMode, "CVE-2024-3660", "CVE-2025-9905"),
        Rule(KerasDangerousReference, "Keras config imports a dangerous callable", Severity.Critical, FindingCategory.CodeExecution,
            "A layer, function or object in a Keras config names a module and class or function that runs commands or code (os.system, builtins.exec, subprocess.Popen, …). Keras before 3.9 imported any module a config.json named, even in safe mode.",
            DoNotLoad, "CVE-2025-1550"),
        Rule(KerasUnsafeDeserialization, "Keras config enables unsafe deserialization", Severity.Critical, FindingCategory.CodeExecution,
            "A Keras config calls keras.config.enable_unsafe_deserialization while loading, switching safe_mode off for the objects that follow (Lambda code, arbitrary imports).",
            DoNotLoad, "CVE-2025-9906"),
        Rule(KerasGetFileGadget, "Keras config calls get_file", Severity.Critical, FindingCategory.CodeExecution,
            "A Keras config invokes keras.utils.get_file, which downloads or writes files while the model loads: the gadget that bypassed the CVE-2025-1550 fix.",
            DoNotLoad, "CVE-2025-8747"),
        Rule(KerasTorchModuleWrapper, "Keras TorchModuleWrapper", Severity.Critical, FindingCategory.CodeExecution,
            "A Keras layer is a TorchModuleWrapper: loading it calls torch.load on bytes from the file, which runs pickled code. Keras 3.11.0–3.11.2 did so even in safe mode.",
            DoNotLoad, "CVE-2025-49655"),
        Rule(HydraDangerousTarget, "Hydra _target_ names a dangerous callable", Severity.Critical, FindingCategory.CodeExecution,
            "A Hydra/OmegaConf config inside a model archive (NeMo) has a _target_ that hydra.utils.instantiate imports and calls when the model is restored: os.system, subprocess, builtins.exec and the like.",
            DoNotLoad, "CVE-2025-23304"),
        Rule(SkopsDangerousType, "skops schema names a dangerous type", Severity.Critical, FindingCategory.CodeExecution,
            "A skops schema.json names a function, method or type that runs commands or code (os.system, builtins.eval, operator.methodcaller, …), or uses a node shape (OperatorFuncNode, MethodNode) known to bypass skops' trusted-type checks.",
            DoNotLoad, "CVE-2025-54412", "CVE-2025-54413"),
        Rule(KerasCustomObject, "Keras custom object", Severity.Warning, FindingCategory.FrameworkOperation,
            "A Keras config names a class or function outside Keras and TensorFlow (a custom layer, loss or registered object). Loading the model imports that module and runs its code; Keras before 3.9 imported it even in safe mode.",
            Review, "CVE-2025-1550"),
        Rule(KerasTorchModuleWrapperGated, "Keras TorchModuleWrapper (safe mode)", Severity.Warning, FindingCategory.FrameworkOperation,
            "A Keras layer is a TorchModuleWrapper, whose weights are a torch.load pickle. The Keras version recorded in the file refuses it in safe mode, but loading with safe_mode=False runs the pickle.",
            UseSafeMode),
        Rule(HydraUnknownTarget, "Hydra _target_ outside known libraries", Severity.Info, FindingCategory.FrameworkOperation,
            "A Hydra/OmegaConf config names a _target_ outside NeMo, PyTorch and the other libraries NeMo models use. Restoring the model imports and calls it.",
            "Make sure the named module is your own or a trusted package before restoring the model.", "CVE-2025-23304"),
        Rule(SkopsUntrustedType, "skops type outside the trusted set", Severity.Warning, FindingCategory.FrameworkOperation,
            "A skops schema.json names a type outside scikit-learn, NumPy, SciPy and the builtins skops trusts by default. skops.io.load refuses it unless the caller passes it in trusted=…, and then constructs it.",
            "Review the listed types (skops.io.get_untrusted_types) before trusting them."),
        Rule(TorchServeHandler, "TorchServe handler code", Severity.Warning, FindingCategory.FrameworkOperation,
            "A TorchServe .mar archive names a Python handler (or model file) of its own: TorchServe imports and runs it when the model is registered. The code was handed to the content analyzers.",
            Review),
        Rule(ManifestMissingMember, "Manifest names a missing or escaping member", Severity.Warning, FindingCategory.Integrity,
            "A model archive's manifest (TorchServe MANIFEST.json, Keras metadata) names a file the archive does not hold, or a path outside the archive: the loader will look for it elsewhere.",
            Review),
        Rule(TorchServeManifestInvalid, "TorchServe manifest invalid", Severity.Warning, FindingCategory.Integrity,
            "MAR-INF/MANIFEST.json is missing, not JSON, or lacks the model section torch-model-archiver writes.",
            Review),
    });
}
