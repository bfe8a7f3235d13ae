using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

/// <summary>The rule catalog: every rule id a finding can carry, with its default severity, help and CVEs.</summary>
public static partial class RuleCatalog
{
    /// <summary>Where rule pages live (docs/rules/&lt;RuleId&gt;.md in the repository).</summary>
    public const string HelpBaseUri = "https://github.com/modelaudit/ModelAudit.PowerShell/blob/main/docs/rules/";

    private const string DoNotLoad = "Do not load this file. Obtain the model in a code-free format (SafeTensors, GGUF, ONNX) from a trusted publisher.";
    private const string Review = "Review where the file came from and what loads it; load it only in an isolated environment if it must be used.";
    private const string Rescan = "Raise the limit with a policy, or scan in a dedicated run; treat the file as unverified until then.";

    private static readonly ModelRule[] s_rules = BuildRules();

    private static ModelRule[] CoreRules() => new[]
    {
        Rule(ExecutionCallable, "Code execution callable", Severity.Critical, FindingCategory.CodeExecution,
            "A pickle (or pickle-bearing format) imports and can invoke a callable that runs commands or Python code: os.system, subprocess, eval/exec, runpy, pty, and the gadgets published against other scanners.",
            DoNotLoad),
        Rule(ResolverCallable, "Attribute or import resolver", Severity.Critical, FindingCategory.CodeExecution,
            "A pickle imports a resolver (getattr, importlib, pkgutil.resolve_name, operator.attrgetter/methodcaller, pydoc.locate…) that fetches an arbitrary callable at load time, so the dangerous name appears only as a string.",
            DoNotLoad),
        Rule(NestedDeserialization, "Nested deserialization", Severity.Critical, FindingCategory.CodeExecution,
            "A pickle calls another deserializer (pickle.loads, torch.load, dill, joblib, numpy.load, marshal) on data it carries, hiding a second payload from scanners that look only at the outer stream.",
            DoNotLoad),
        Rule(CodeObjectConstruction, "Code object construction", Severity.Critical, FindingCategory.CodeExecution,
            "A pickle builds Python code or functions (types.CodeType, types.FunctionType, cloudpickle function builders) and can run them when loaded.",
            DoNotLoad),
        Rule(DynamicImport, "Dynamic import", Severity.Critical, FindingCategory.CodeExecution,
            "STACK_GLOBAL takes its module or name from a value computed at load time instead of a string constant, so what is imported cannot be known statically.",
            DoNotLoad),
        Rule(UnknownExtension, "Unregistered extension code", Severity.Critical, FindingCategory.CodeExecution,
            "EXT1/EXT2/EXT4 names a copyreg extension code that the stream did not register; CPython's registry is empty by default, so this import is either a load failure or a hidden callable.",
            DoNotLoad),
        Rule(FrameViolation, "Pickle frame violation", Severity.Critical, FindingCategory.CodeExecution,
            "An opcode straddles a FRAME boundary or a frame opens inside a frame. CPython's file unpickler and linear disassemblers then disagree about which bytes are opcodes, a known way to hide a payload (gh-154848).",
            DoNotLoad),
        Rule(NonAllowlistedCall, "Non-allowlisted callable invoked", Severity.Warning, FindingCategory.CodeExecution,
            "A callable outside every known-safe loader profile is called while loading (REDUCE, or a class whose construction runs code). It may be benign library code, but loading the file runs it.",
            Review),
        Rule(FileSystemCallable, "File system access", Severity.Warning, FindingCategory.CodeExecution,
            "A pickle reaches file system functions (open, io.FileIO, shutil, tempfile, logging.FileHandler, zipfile/tarfile writers, sqlite3, shelve).",
            Review),
        Rule(NetworkCallable, "Network access", Severity.Warning, FindingCategory.CodeExecution,
            "A pickle reaches networking (socket, urllib, http, requests, smtplib, ftplib, ssl, webbrowser), which can exfiltrate data or fetch a payload.",
            Review),
        Rule(ProcessAdjacentCallable, "Process and runtime manipulation", Severity.Warning, FindingCategory.CodeExecution,
            "A pickle reaches threads, signals, interpreter state (sys, gc), the Windows registry or similar process-level facilities.",
            Review),
        Rule(UnknownClassReference, "Reference to a class outside known libraries", Severity.Info, FindingCategory.CodeExecution,
            "A class from a module outside the known profiles is instantiated and filled with data (as full-model checkpoints do with the user's own model classes). Loading needs that module; the pickle itself calls nothing else.",
            "Make sure the named module is your own or a trusted package before loading."),
        Rule(EmbeddedPickle, "Embedded or encoded pickle", Severity.Warning, FindingCategory.CodeExecution,
            "A bytes or string value carries another pickle (raw, base64 or hex encoded). It was scanned too; its own findings are reported under the same member.",
            Review),
        Rule(ImportTargetMutation, "Imported object modified", Severity.Critical, FindingCategory.CodeExecution,
            "BUILD sets attributes on an imported module, class or function: a monkeypatch that can redirect later imports or tamper with the model at load time.",
            DoNotLoad),
        Rule(ScannerTampering, "Scanner tampering", Severity.Critical, FindingCategory.CodeExecution,
            "A pickle imports a model scanner's own package (fickling, picklescan, modelscan, modelaudit), typically to switch its runtime hooks off before the real payload.",
            DoNotLoad),
        Rule(NumPyObjectArray, "NumPy object array", Severity.Info, FindingCategory.CodeExecution,
            "A .npy array has an object dtype, so its data is a pickle and numpy.load runs it with allow_pickle=True. The pickle was scanned; its findings are listed separately.",
            "Store numeric arrays with a numeric dtype; load with allow_pickle=False.", "CVE-2019-6446"),
        Rule(MarshalledCode, "Marshalled code object", Severity.Critical, FindingCategory.CodeExecution,
            "A bytes value is a marshalled CPython code object, the input of marshal.loads + types.FunctionType payloads.",
            DoNotLoad),
        Rule(PickleStructureAnomaly, "Pickle structure anomaly", Severity.Warning, FindingCategory.CodeExecution,
            "The pickle stream has a shape real serializers do not write: a second PROTO inside a stream, a call whose result is thrown away, a stream appended after the last STOP.",
            Review),
        Rule(TorchScriptCode, "TorchScript code", Severity.Info, FindingCategory.CodeExecution,
            "The archive is a TorchScript module: it carries code that torch.jit.load compiles and runs. torch.load(weights_only=True) dispatched such files to torch.jit.load before PyTorch 2.6.",
            "Load TorchScript only from trusted publishers; prefer weights-only formats.", "CVE-2025-32434"),
        Rule(ExtensionRegistration, "copyreg extension registration", Severity.Critical, FindingCategory.CodeExecution,
            "A pickle calls copyreg.add_extension (or touches its registries) so a later EXT opcode imports a callable that no GLOBAL names.",
            DoNotLoad),
        Rule(PickleInBytes, "Pickle inside a bytes value", Severity.Info, FindingCategory.CodeExecution,
            "A raw bytes value holds a whole pickle, as plain pickle writes tensors and nested objects. It was scanned as a pickle of its own; anything it would run is reported under the same member.",
            "No action needed unless the nested pickle has findings of its own."),

        Rule(ArchivePathTraversal, "Archive path traversal", Severity.Critical, FindingCategory.Archive,
            "An archive member name escapes the extraction root (../, absolute path, drive letter, backslashes).",
            "Do not extract the archive with tools that trust member names."),
        Rule(ArchiveEncryptedMember, "Encrypted archive member", Severity.Warning, FindingCategory.Archive,
            "A member is marked encrypted and cannot be scanned; PyTorch ignores the flag and reads it anyway (CVE-2025-1945).",
            Review, "CVE-2025-1945"),
        Rule(ArchiveNameMismatch, "Local and central zip names differ", Severity.Warning, FindingCategory.Archive,
            "A zip member's local header names a different file than the central directory; loaders and scanners then see different files (CVE-2025-1944).",
            Review, "CVE-2025-1944"),
        Rule(ArchiveCrcMismatch, "Zip CRC mismatch", Severity.Warning, FindingCategory.Archive,
            "A zip member's data does not match its CRC-32; strict scanners skip it while PyTorch loads it (CVE-2025-10156).",
            Review, "CVE-2025-10156"),
        Rule(ArchiveHiddenEntry, "Zip entry hidden from the central directory", Severity.Warning, FindingCategory.Archive,
            "A local file header has no central-directory entry (or flag bits a strict reader rejects); some readers see it, others do not.",
            Review),
        Rule(ArchiveDuplicateName, "Duplicate archive member", Severity.Warning, FindingCategory.Archive,
            "Two members share one name; which one a loader reads depends on the loader.",
            Review),
        Rule(ArchiveExecutableMember, "Executable or script in archive", Severity.Warning, FindingCategory.Archive,
            "A model archive carries a native executable or a script (by content).",
            Review),
        Rule(Polyglot, "Polyglot file", Severity.Warning, FindingCategory.Archive,
            "The file is valid as more than one format (e.g. a pickle at offset 0 and a zip by its end record); each interpretation was scanned.",
            Review),
        Rule(DecompressionBomb, "Decompression bomb", Severity.Warning, FindingCategory.Archive,
            "A member or wrapper expands beyond the ratio or size budget.",
            Review),
        Rule(ArchiveLinkEscape, "Archive link escapes the root", Severity.Critical, FindingCategory.Archive,
            "A symbolic or hard link in an archive points outside the archive root or at a sensitive path.",
            "Do not extract the archive with tools that follow links."),
        Rule(ZipDirectoryDisagreement, "Zip directory records disagree", Severity.Warning, FindingCategory.Archive,
            "The zip's end record and its central directory disagree about how many entries there are or how large the directory is. Python's zipfile reads the directory by its size, PyTorch's reader by the count: each sees different members. Every member either reader would see was scanned.",
            Review),
        Rule(ZipUnaccountedBytes, "Bytes between zip entries", Severity.Warning, FindingCategory.Archive,
            "Bytes between local entries (or before the central directory) belong to no entry. Streaming readers and directory readers disagree about such archives, and the bytes are a place to hide a payload; they were searched for further entries.",
            Review),

        Rule(EmbeddedSecret, "Embedded secret", Severity.Warning, FindingCategory.Secret,
            "Model metadata or text carries something shaped like a credential (cloud access key, private key, API token).",
            "Revoke the credential and remove it from the published model."),

        Rule(ExtensionMismatch, "File name and content disagree", Severity.Info, FindingCategory.Integrity,
            "The file's extension promises one format and its bytes are another data format (e.g. JSON named .txt). Harmless in itself; the content was scanned as what it is.",
            "Rename the file to match its content."),
        Rule(GitLfsPointer, "Git LFS pointer instead of weights", Severity.Warning, FindingCategory.Integrity,
            "The file is a Git LFS pointer, not the model: the real object was never fetched and was not scanned.",
            "Run git lfs pull (or download the object) and scan the real file."),
        Rule(NativeExecutable, "Native executable", Severity.Warning, FindingCategory.Integrity,
            "The file is a native executable (ELF, PE or Mach-O) among model files.",
            Review),
        Rule(CodeBehindDataExtension, "Code-bearing content behind a data name", Severity.Warning, FindingCategory.Integrity,
            "The content can run code when loaded (a pickle, TorchScript, an executable) but the file name promises a data-only format, e.g. a pickle named .safetensors or .gif. Scanners and tools that trust the name skip it (CVE-2025-1889, CVE-2025-10155).",
            Review, "CVE-2025-1889", "CVE-2025-10155"),
        Rule(SitePathConfiguration, "Python path-configuration file with imports", Severity.Warning, FindingCategory.Integrity,
            "A text .pth file has 'import' lines: if it lands in a site-packages folder, Python runs those lines at every start-up.",
            Review),
        Rule(SafeTensorsHeaderBounds, "SafeTensors header length out of bounds", Severity.Warning, FindingCategory.Integrity,
            "The 8-byte header length is zero, larger than the file, or larger than the header budget.",
            "Re-export the model with the safetensors library."),
        Rule(SafeTensorsHeaderInvalid, "SafeTensors header is not valid", Severity.Warning, FindingCategory.Integrity,
            "The header is not a JSON object of tensor entries as the format defines (bad JSON, bad dtype, bad shape, non-string metadata).",
            "Re-export the model with the safetensors library."),
        Rule(SafeTensorsOverlap, "SafeTensors tensors overlap", Severity.Warning, FindingCategory.Integrity,
            "Two tensors' data offsets overlap; the safetensors library rejects such files and other parsers may read crafted data.",
            "Re-export the model with the safetensors library."),
        Rule(SafeTensorsOutOfBounds, "SafeTensors data out of bounds or truncated", Severity.Warning, FindingCategory.Integrity,
            "A tensor's offsets point past the end of the file, or the file is shorter than its tensors say.",
            "Download the file again; re-export it if the problem persists."),
        Rule(SafeTensorsSizeMismatch, "SafeTensors shape and size disagree", Severity.Warning, FindingCategory.Integrity,
            "A tensor's byte range does not match its shape times its dtype size.",
            "Re-export the model with the safetensors library."),
        Rule(SafeTensorsHiddenData, "SafeTensors unreferenced data", Severity.Warning, FindingCategory.Integrity,
            "Bytes in the data region belong to no tensor (a gap, or trailing data), a place to hide a payload.",
            "Re-export the model with the safetensors library."),
        Rule(SafeTensorsUnexpectedKey, "SafeTensors unexpected key", Severity.Info, FindingCategory.Integrity,
            "A tensor entry has keys other than dtype, shape and data_offsets.",
            "Re-export the model with the safetensors library."),
        Rule(SafeTensorsUnknownDtype, "SafeTensors unknown dtype", Severity.Info, FindingCategory.Integrity,
            "A tensor has a dtype this version does not know, so its size could not be checked against its byte range.",
            "Check the file with the safetensors library."),
        Rule(TrailingData, "Data after the end of the content", Severity.Info, FindingCategory.Integrity,
            "Bytes follow the end of the format (after a pickle's last STOP, after an array's data). Loaders ignore them; they were searched for hidden payloads.",
            Review),

        Rule(ParseError, "Could not parse", Severity.Info, FindingCategory.ScanHealth,
            "Part of the file could not be parsed as the detected format; what was read before the error is reported, and coverage is Inconclusive.",
            Review),
        Rule(LimitExceeded, "Scan limit reached", Severity.Info, FindingCategory.ScanHealth,
            "A scan budget (opcodes, memo, stack, entries, expanded bytes) ran out; coverage is Inconclusive.",
            Rescan),
        Rule(FormatNotScanned, "Format recognised but not scanned", Severity.Info, FindingCategory.ScanHealth,
            "The format was recognised from content but this version has no scanner for it; coverage is Inconclusive.",
            "Scan with a ModelAudit version that covers the format, or review the file by other means."),
        Rule(UnknownFormat, "Unknown format in a model file", Severity.Info, FindingCategory.ScanHealth,
            "The content matches no known format although the name suggests a model file; coverage is Inconclusive.",
            Review),
        Rule(FileTooLarge, "File larger than the size limit", Severity.Info, FindingCategory.ScanHealth,
            "The file is larger than -MaxFileSize and was not scanned.",
            Rescan),
        Rule(RuleIds.Timeout, "Scan timed out", Severity.Info, FindingCategory.ScanHealth,
            "The per-file time budget (-TimeoutSec) ran out; what was found before is reported.",
            Rescan),
        Rule(NestingTooDeep, "Nesting too deep", Severity.Info, FindingCategory.ScanHealth,
            "Containers or embedded payloads nest deeper than the budget; the innermost part was not scanned.",
            Rescan),
        Rule(FindingsTruncated, "Too many findings", Severity.Info, FindingCategory.ScanHealth,
            "More findings than the per-file budget; the rest were dropped.",
            Review),
        Rule(EmptyModelFile, "Empty model file", Severity.Info, FindingCategory.ScanHealth,
            "The file has no bytes although its name promises a model: a failed download or a placeholder. Nothing could be verified; coverage is Inconclusive.",
            "Download the file again and scan the real content."),
        Rule(ScannerFault, "Scanner failure", Severity.Info, FindingCategory.ScanHealth,
            "A scanner failed on this input in a way it does not expect (a defect in ModelAudit, please report it). What was found before is kept, the rest of the file was scanned, and coverage of this part is Inconclusive.",
            Review),
    };

    private static readonly Dictionary<string, ModelRule> s_byId = s_rules.ToDictionary(r => r.Id, StringComparer.Ordinal);

    /// <summary>All rules, ordered by id.</summary>
    public static IReadOnlyList<ModelRule> All { get; } = s_rules.OrderBy(r => r.Id, StringComparer.Ordinal).ToArray();

    /// <summary>The rule with this id; throws for an unknown id (a programming error).</summary>
    public static ModelRule Get(string id) => s_byId[id];

    // Each format or analyzer family keeps its rules in its own file (RuleCatalog.<Family>.cs, ids in
    // RuleIds.<Family>.cs), so families grow without editing one shared list.
    static partial void AddGraphRules(List<ModelRule> rules);

    static partial void AddLayerRules(List<ModelRule> rules);

    static partial void AddRuntimeRules(List<ModelRule> rules);

    static partial void AddGgufRules(List<ModelRule> rules);

    static partial void AddTemplateRules(List<ModelRule> rules);

    static partial void AddContentRules(List<ModelRule> rules);

    static partial void AddReportingRules(List<ModelRule> rules);

    static partial void AddShellRules(List<ModelRule> rules);

    static partial void AddWeightRules(List<ModelRule> rules);

    static partial void AddRemoteRules(List<ModelRule> rules);

    static partial void AddDvcRules(List<ModelRule> rules);

    static partial void AddPackageRules(List<ModelRule> rules);

    static partial void AddFollowupRules(List<ModelRule> rules);

    static partial void AddRobustnessRules(List<ModelRule> rules);

    static partial void AddFormatGapRules(List<ModelRule> rules);

    static partial void AddContentGapRules(List<ModelRule> rules);

    static partial void AddRSerializedRules(List<ModelRule> rules);

    static partial void AddTorch7Rules(List<ModelRule> rules);

    private static ModelRule[] BuildRules()
    {
        var rules = new List<ModelRule>(CoreRules());
        AddGraphRules(rules);
        AddLayerRules(rules);
        AddRuntimeRules(rules);
        AddGgufRules(rules);
        AddTemplateRules(rules);
        AddContentRules(rules);
        AddReportingRules(rules);
        AddShellRules(rules);
        AddWeightRules(rules);
        AddRemoteRules(rules);
        AddDvcRules(rules);
        AddPackageRules(rules);
        AddFollowupRules(rules);
        AddRobustnessRules(rules);
        AddFormatGapRules(rules);
        AddContentGapRules(rules);
        AddRSerializedRules(rules);
        AddTorch7Rules(rules);
        return rules.ToArray();
    }

    private static ModelRule Rule(string id, string title, Severity severity, FindingCategory category,
        string description, string remediation, params string[] cve) =>
        new(id, title, severity, category, description, remediation, cve, HelpBaseUri + id + ".md");
}
