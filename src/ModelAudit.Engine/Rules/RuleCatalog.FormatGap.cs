using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

public static partial class RuleCatalog
{
    static partial void AddFormatGapRules(List<ModelRule> rules) => rules.AddRange(new[]
    {
        Rule(TensorRtNativeCode, "TensorRT plan embeds native code", Severity.Critical, FindingCategory.FrameworkOperation,
            "A TensorRT engine (plan) holds a native executable image — an ELF shared object, a PE DLL or a Mach-O library of a host CPU, found by a full header at that offset. TensorRT serializes plugin libraries into a plan (IBuilderConfig::setPluginsToSerialize, trtexec --setPluginsToSerialize) and copies the lean runtime into version-compatible plans; when the plan is deserialized with host code allowed (IRuntime::setEngineHostCodeAllowed(true)), it loads that code and runs it in the process. CUDA device code (ELF cubins, e_machine EM_CUDA) is not reported.",
            "Deserialize the plan only if you built it or trust its builder, and only with host code allowed when you must. Prefer plans built without serialized plugins (ship the plugin library separately, pinned and scanned) and with kEXCLUDE_LEAN_RUNTIME, and rebuild the engine from the source model yourself where you can."),
        Rule(TensorRtPluginNames, "TensorRT plan uses plugins", Severity.Info, FindingCategory.FrameworkOperation,
            "The plan stores plugin names (NVIDIA's Name_TRT convention, e.g. EfficientNMS_TRT). TensorRT looks each plugin creator up by name, version and namespace in the loading process's plugin registry, so whoever loads the plan must provide those plugins (libnvinfer_plugin or a custom library). The names are text found in the plan; NVIDIA does not publish how a plan stores its plugin records, and a custom plugin named otherwise is not listed.",
            "Make sure the plugins come from libnvinfer_plugin or a library you build or pin yourself; an unknown plugin name means native code from somewhere else is needed to run the model."),
        Rule(TensorRtLibraryNames, "TensorRT plan names shared libraries", Severity.Info, FindingCategory.FrameworkOperation,
            "The plan stores shared-library names or paths as text (libfoo.so, foo.dll). A name is not code: it is often the plugin library the plan was built with. No public description of the plan says TensorRT loads a library by a name stored in it; libraries a plan carries are embedded whole and reported as native code (MA3160).",
            "Check that the named libraries are the ones you expect the engine to need."),
        Rule(TensorRtPlanUnreadable, "TensorRT plan header truncated", Severity.Info, FindingCategory.ScanHealth,
            "The file starts with the TensorRT plan tag (\"ftrt\") but ends inside the header. TensorRT refuses it; nothing after the tag was scanned, so the file is not Clean.",
            "Download or export the engine again and compare its hash with the source."),
        Rule(CompanionDataFile, "Data file of a model beside it", Severity.Info, FindingCategory.Integrity,
            "The file is raw tensor data that a model beside it reads (ONNX external data, OpenVINO weights, TensorFlow checkpoint shards, the OCDBT data files of an Orbax checkpoint). It has no structure of its own to scan; the model's scan checks the ranges it reads from it, and the finding names that model.",
            "Keep the data file with its model; scan the folder together so both are checked."),
        Rule(CheckpointEntryInvalid, "TensorFlow checkpoint entry out of bounds", Severity.Warning, FindingCategory.Integrity,
            "An entry of a TensorFlow checkpoint index (BundleEntryProto) names a shard the checkpoint does not have, reads past the end of its shard, or declares a byte size that does not match its dtype and shape. TensorFlow refuses such a checkpoint, or it was altered after it was written.",
            "Re-save the checkpoint from a trusted source; do not restore it."),
        Rule(CheckpointShardMissing, "TensorFlow checkpoint shard missing", Severity.Warning, FindingCategory.Integrity,
            "The checkpoint index places tensors in a data shard (prefix.data-0000i-of-0000n) that is not beside it. Restoring fails, or reads whatever file is put there later.",
            "Keep every data shard with its index, and scan them together."),
        Rule(SkopsJoblibFallback, "skops model that is not a skops file", Severity.Warning, FindingCategory.Integrity,
            "A skops hub config.json names a skops model, but the file beside it is not a skops zip. skops' Card.get_model then falls back to joblib.load without saying so and unpickles the file (CVE-2025-54886, fixed in skops 0.13): a model card that promises safe loading runs a pickle.",
            "Load the model only with skops.io.load on a verified .skops zip, and upgrade skops to 0.13 or later.", "CVE-2025-54886"),
        Rule(SkopsJoblibModel, "skops config loads a pickle", Severity.Info, FindingCategory.Integrity,
            "A skops hub config.json declares a pickled model (model_format pickle): skops' helpers load it with joblib.load, which runs whatever the pickle says. The pickle's own scan decides whether it is dangerous; skops before 0.13 also did this silently for files that only claimed to be skops (CVE-2025-54886).",
            "Prefer the .skops format, which skops loads without unpickling."),
        Rule(OrbaxPicklePayload, "Pickle inside an Orbax checkpoint", Severity.Critical, FindingCategory.FrameworkOperation,
            "A value of an Orbax checkpoint (an OCDBT key's value, or a string of its JSON metadata) is a pickle, or its zarr metadata selects numcodecs' pickle codec, which unpickles the array's chunks when they are read. Orbax writes arrays through TensorStore and metadata as JSON or MessagePack; a pickle there is restored only by a custom handler or codec that unpickles it, which runs whatever the pickle says. An embedded pickle was scanned too; its own findings are reported under the same member.",
            "Do not restore the checkpoint; re-create it from a trusted source with Orbax's standard handlers."),
        Rule(OcdbtHeaderInvalid, "OCDBT file header malformed", Severity.Warning, FindingCategory.Integrity,
            "An OCDBT manifest or tree node (TensorStore's Optionally-Cooperative Distributed B+Tree, the storage of Orbax checkpoints) has a wrong magic value, a length that disagrees with the file or runs past its end, an unknown version or compression, or a body that does not decode as the format says. TensorStore refuses such a checkpoint; it was truncated or altered after it was written.",
            "Re-save the checkpoint from a trusted source; do not restore it."),
        Rule(OcdbtChecksumMismatch, "OCDBT checksum mismatch", Severity.Warning, FindingCategory.Integrity,
            "The CRC-32C footer of an OCDBT manifest or tree node does not match its bytes. TensorStore refuses it: the file was corrupted or edited after it was written.",
            "Re-save the checkpoint from a trusted source; do not restore it."),
        Rule(OcdbtReferenceInvalid, "OCDBT reference missing or out of bounds", Severity.Warning, FindingCategory.Integrity,
            "An OCDBT manifest or B+tree node refers to a data file that is not there, to bytes past the end of its data file, or to a data file path that is absolute or climbs out of the checkpoint folder (the format allows arbitrary paths; one outside the checkpoint makes a restore read a file the checkpoint does not ship).",
            "Keep every data file with its manifest and scan the checkpoint folder whole; do not restore a checkpoint whose references leave its folder."),
        Rule(OcdbtTreeNotFollowed, "OCDBT tree not followed", Severity.Info, FindingCategory.ScanHealth,
            "The OCDBT manifest was read, but the data files its tree lives in could not be opened beside it (the manifest is inside an archive or on a remote store), so the keys and values it restores were not checked; coverage is Inconclusive.",
            "Scan the checkpoint as a local folder so the manifest and its data files are read together."),
    });
}
