using System.Text;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Grades what the symbolic VM reports. Allowlisted names pass silently; denylisted names are findings named
/// after what they do; everything else is graded by use — called is a Warning, only instantiated and filled
/// with data is Info. Each finding names the callable, the opcode and offset, and a reconstruction of the call.
/// </summary>
internal sealed partial class PickleAnalysis : IPickleHandler
{
    private static readonly Dictionary<string, string[]> s_entryCves = new(StringComparer.Ordinal)
    {
        ["pip"] = new[] { "CVE-2025-1716" },
        ["asyncio"] = new[] { "CVE-2025-10157" },
    };

    private readonly ScanContext _context;
    private readonly Dictionary<PValue, ImportRecord> _imports = new(ReferenceEqualityComparer.Instance);
    private readonly List<ImportRecord> _order = new();
    private readonly HashSet<string> _infoReported = new(StringComparer.Ordinal);
    private readonly Dictionary<long, (string Module, string Name)> _extensions = new();

    public PickleAnalysis(ScanContext context)
    {
        _context = context;
    }

    /// <summary>Persistent ids seen: PyTorch storages as (key, storage type, element count).</summary>
    public List<(string Key, string StorageType, long Count)> Storages { get; } = new();

    /// <summary>True once a joblib NumpyArrayWrapper was built (the file is a joblib dump).</summary>
    public bool SawJoblibWrapper { get; private set; }

    public void OnProto(int protocol, long offset, bool repeated)
    {
        if (repeated)
        {
            _context.Report(RuleIds.PickleStructureAnomaly,
                "A second PROTO opcode inside one pickle stream: a payload may have been spliced into an existing pickle.", offset, $"PROTO {protocol}");
        }
    }

    public void OnImport(PValue global, string opcode, long offset)
    {
        CallableVerdict verdict = _context.InTorchScript && (global.Module!.StartsWith("__torch__", StringComparison.Ordinal) || global.Module == "torch.jit._pickle")
            ? CallableVerdict.Allowed("torchscript")
            : PickleClassifier.Classify(global.Module!, global.Name!, _context.Options.Policy);
        var record = new ImportRecord(global, opcode, verdict);
        _imports[global] = record;
        _order.Add(record);
        Trace(offset, opcode, "Import", global.QualifiedName, null, verdict);
    }

    public void OnDynamicImport(PValue module, PValue name, long offset)
    {
        string detail = $"STACK_GLOBAL({module.Render(60)}, {name.Render(60)})";
        _context.Report(RuleIds.DynamicImport,
            $"STACK_GLOBAL imports a module or name computed at load time: {detail}.", offset, detail);
        Trace(offset, "STACK_GLOBAL", "Import", "<dynamic>", detail, CallableVerdict.Dangerous(DangerKind.Resolver, "dynamic"));
    }

    public PValue? OnCall(PValue call)
    {
        PValue callable = call.Callable!;
        if (callable.Kind == PValueKind.Global && _imports.TryGetValue(callable, out ImportRecord? record))
        {
            callable.Use |= GlobalUse.Called;
            if (AttributeOfImport(callable, call) is { } attribute)
            {
                return attribute;
            }

            if (record.Verdict.Class == CallableClass.Allowed)
            {
                // The common case (every tensor of a checkpoint): no rendering unless a trace asks for it.
                Trace(call.Offset, call.Opcode!, "Call", callable.QualifiedName, _context.Trace is null ? null : call.Render(), record.Verdict);
                return AllowedCallResult(callable, call);
            }

            string rendered = call.Render();
            Trace(call.Offset, call.Opcode!, "Call", callable.QualifiedName, rendered, record.Verdict);
            if (ScanTorchStorageBytes(callable, call, record))
            {
                return null;
            }

            switch (record.Verdict.Class)
            {
                case CallableClass.Dangerous:
                    ReportDangerous(record, call.Offset, $"{rendered} is called by {call.Opcode}", rendered);
                    InspectDangerousArguments(record.Verdict.Danger!.Value, call);
                    RegisterExtension(callable, call.Args!);
                    return null;
                default:
                    record.Reported = true;
                    _context.Report(RuleIds.NonAllowlistedCall,
                        $"{rendered} is called by {call.Opcode}: {callable.QualifiedName} is on no known-safe profile, and loading runs it.",
                        call.Offset, rendered);
                    return null;
            }
        }

        // Calling something that is not a plain import: the result of another call (a resolver's output) or a constant.
        string computed = call.Render();
        Trace(call.Offset, call.Opcode!, "Call", "<computed>", computed, CallableVerdict.Unknown);
        if (DangerIn(callable) is { } danger)
        {
            _context.Report(RuleIds.ExecutionCallable,
                $"{computed} calls a callable obtained at load time from {danger.Global.QualifiedName}.", call.Offset, computed);
        }
        else if (callable.Kind != PValueKind.Global)
        {
            _context.Report(RuleIds.NonAllowlistedCall, $"{computed} calls a value computed at load time.", call.Offset, computed);
        }

        return null;
    }

    public void OnInstantiate(PValue call)
    {
        PValue cls = call.Callable!;
        if (cls.Kind == PValueKind.Global && _imports.TryGetValue(cls, out ImportRecord? record))
        {
            cls.Use |= GlobalUse.Instantiated;
            Trace(call.Offset, call.Opcode!, "Instantiate", cls.QualifiedName, call.Render(), record.Verdict);
            return;
        }

        Trace(call.Offset, call.Opcode!, "Instantiate", "<computed>", call.Render(), CallableVerdict.Unknown);
        if (DangerIn(cls) is null)
        {
            _context.Report(RuleIds.NonAllowlistedCall, $"{call.Opcode} instantiates a class computed at load time: {call.Render()}.", call.Offset, call.Render());
        }
    }

    public void OnBuild(PValue target, PValue state, long offset, PickleMachine machine)
    {
        if (target.Kind == PValueKind.Global)
        {
            target.Use |= GlobalUse.Mutated;
            string detail = $"{target.QualifiedName}.__dict__.update({state.Render(100)})";
            Trace(offset, "BUILD", "Build", target.QualifiedName, detail, CallableVerdict.Dangerous(DangerKind.Resolver, "setattr"));
            _context.Report(RuleIds.ImportTargetMutation,
                $"BUILD sets attributes on the imported object {target.QualifiedName}: {detail}.", offset, detail);
            return;
        }

        if (target.Kind == PValueKind.Call && target.Callable is { Kind: PValueKind.Global } cls)
        {
            Trace(offset, "BUILD", "Build", cls.QualifiedName, null, _imports.TryGetValue(cls, out var r) ? r.Verdict : CallableVerdict.Unknown);
            if (cls.Module == "joblib.numpy_pickle" && cls.Name == "NumpyArrayWrapper")
            {
                SawJoblibWrapper = true;
                JoblibArrays.ReadArrayData(state, offset, machine, _context);
            }
        }
    }

    public void OnMutate(PValue target, string opcode, long offset)
    {
        if (target.Kind == PValueKind.Global)
        {
            _context.Report(RuleIds.ImportTargetMutation,
                $"{opcode} modifies the imported object {target.QualifiedName} in place.", offset, target.QualifiedName);
            return;
        }

        if (target.Kind == PValueKind.Call && target.Callable is { Kind: PValueKind.Global } cls
            && cls.Module == "torch._utils" && cls.Name!.StartsWith("_rebuild", StringComparison.Ordinal))
        {
            _context.Report(RuleIds.PickleStructureAnomaly,
                $"{opcode} applied to a tensor rebuilt by {cls.QualifiedName}: the pattern of CVE-2026-24747 (memory corruption in torch.load weights_only).",
                offset, opcode, cve: new[] { "CVE-2026-24747" });
        }
    }

    public PValue OnExtension(long code, long offset)
    {
        if (_extensions.TryGetValue(code, out var target))
        {
            var global = PValue.Global(target.Module, target.Name, offset);
            OnImport(global, $"EXT({code})", offset);
            return global;
        }

        _context.Report(RuleIds.UnknownExtension,
            $"EXT opcode names extension code {code}, which no copyreg.add_extension call in the stream registered.", offset, $"EXT {code}");
        Trace(offset, "EXT", "Extension", $"<extension {code}>", null, CallableVerdict.Dangerous(DangerKind.ExtensionRegistry, "unregistered"));
        return PValue.Global("<extension>", code.ToString(System.Globalization.CultureInfo.InvariantCulture), offset);
    }

    public void OnPersistentId(PValue pid, long offset)
    {
        Trace(offset, "BINPERSID", "PersistentId", "persistent_load", pid.Render(120), CallableVerdict.Allowed("persistent"));

        // PyTorch: ('storage', storage_type, key, location, numel[, view_metadata]).
        if (pid.Kind == PValueKind.Tuple && pid.Item(0)?.AsString == "storage" && pid.Item(1) is { Kind: PValueKind.Global } type
            && pid.Item(2)?.AsString is { } key && pid.Item(4)?.AsLong is { } count)
        {
            Storages.Add((key, type.Name!, count));
        }
    }

    public void OnFrameViolation(string message, long offset)
    {
        _context.Report(RuleIds.FrameViolation, $"FRAME violation: {message}. CPython's file unpickler and linear readers disagree about what runs here.", offset, "FRAME");
        Trace(offset, "FRAME", "Frame", "<frame>", message, CallableVerdict.Dangerous(DangerKind.Execution, "frame"));
    }

    /// <summary>Reports what the stream imported but never called: dangerous imports, and unknown classes as Info.</summary>
    public void FinishStream()
    {
        foreach (ImportRecord record in _order)
        {
            if (record.Reported)
            {
                continue;
            }

            PValue g = record.Global;
            switch (record.Verdict.Class)
            {
                case CallableClass.Dangerous:
                    ReportDangerous(record, g.Offset, $"{g.QualifiedName} is imported by {record.Opcode}{UseText(g.Use)}", g.QualifiedName);
                    break;
                case CallableClass.Unknown when _infoReported.Add(g.QualifiedName):
                    _context.Report(RuleIds.UnknownClassReference,
                        $"{g.QualifiedName} is imported by {record.Opcode}{UseText(g.Use)}; it is on no known profile, so loading needs module '{g.Module}' from the loading environment.",
                        g.Offset, g.QualifiedName);
                    break;
            }

            record.Reported = true;
        }

        _order.Clear();
    }

    private static string UseText(GlobalUse use) =>
        use.HasFlag(GlobalUse.Instantiated) ? " and instantiated" : use.HasFlag(GlobalUse.Mutated) ? " and modified" : "";

    private void ReportDangerous(ImportRecord record, long offset, string what, string evidence)
    {
        record.Reported = true;
        DangerKind kind = record.Verdict.Danger!.Value;
        string entry = record.Verdict.MatchedEntry ?? "";
        string top = entry.Split('.')[0];
        var cve = new SortedSet<string>(_context.CveHints, StringComparer.Ordinal);
        if (s_entryCves.TryGetValue(top, out string[]? ids))
        {
            cve.UnionWith(ids);
        }

        if (_context.InJoblib || SawJoblibWrapper)
        {
            cve.Add("CVE-2020-13092");
        }

        _context.Report(RuleFor(kind), $"{what}: {Explain(kind)} (matched '{entry}').", offset, evidence, cve: cve.ToArray());
    }

    public static string RuleFor(DangerKind kind) => kind switch
    {
        DangerKind.Execution => RuleIds.ExecutionCallable,
        DangerKind.Resolver => RuleIds.ResolverCallable,
        DangerKind.NestedDeserialization => RuleIds.NestedDeserialization,
        DangerKind.CodeObject => RuleIds.CodeObjectConstruction,
        DangerKind.ExtensionRegistry => RuleIds.ExtensionRegistration,
        DangerKind.ScannerTampering => RuleIds.ScannerTampering,
        DangerKind.FileSystem => RuleIds.FileSystemCallable,
        DangerKind.Network => RuleIds.NetworkCallable,
        _ => RuleIds.ProcessAdjacentCallable,
    };

    private static string Explain(DangerKind kind) => kind switch
    {
        DangerKind.Execution => "runs commands or code when the file is loaded",
        DangerKind.Resolver => "fetches an arbitrary attribute or module at load time",
        DangerKind.NestedDeserialization => "deserializes a second, hidden payload",
        DangerKind.CodeObject => "builds executable code",
        DangerKind.ExtensionRegistry => "registers extension codes so later EXT opcodes import hidden callables",
        DangerKind.ScannerTampering => "reaches into a model scanner, typically to disable it",
        DangerKind.FileSystem => "reads or writes files",
        DangerKind.Network => "opens network connections",
        _ => "manipulates the process or interpreter",
    };

    // Python 3.11+ pickles every Enum member as builtins.getattr(EnumClass, 'NAME'). getattr on an import that is
    // not itself dangerous, with a plain attribute name, reaches exactly what the dotted import Class.NAME would:
    // it is graded as that import (and as a call when the result is called), not as a resolver.
    private PValue? AttributeOfImport(PValue callable, PValue call)
    {
        if (PickleNames.Canonical(callable.Module!) != "builtins" || callable.Name != "getattr"
            || call.Args is not { Kind: PValueKind.Tuple, Count: 2 } args
            || args.Item(0) is not { Kind: PValueKind.Global } owner || args.Item(1)?.AsString is not { } attribute
            || !_imports.TryGetValue(owner, out ImportRecord? ownerRecord) || ownerRecord.Verdict.Class == CallableClass.Dangerous
            || attribute.Length == 0 || attribute.Contains('.') || PickleDenylist.DangerousDunders.Contains(attribute))
        {
            return null;
        }

        _imports[callable].Reported = true;
        var global = PValue.Global(owner.Module!, owner.Name + "." + attribute, call.Offset);
        CallableVerdict verdict = PickleClassifier.Classify(global.Module!, global.Name!, _context.Options.Policy);
        // The owner's own import already speaks for it; the member is a finding only if dangerous or called.
        var record = new ImportRecord(global, "getattr", verdict) { Reported = verdict.Class != CallableClass.Dangerous };
        _imports[global] = record;
        _order.Add(record);
        Trace(call.Offset, call.Opcode!, "Import", global.QualifiedName, call.Render(), verdict);
        return global;
    }

    // Allowlisted callables whose result matters to later analysis.
    private PValue? AllowedCallResult(PValue callable, PValue call)
    {
        PValue args = call.Args!;
        switch (callable.Module, callable.Name)
        {
            case ("copyreg", "_reconstructor"):
            case ("copyreg", "__newobj__"):
            case ("copyreg", "__newobj_ex__"):
                if (args.Item(0) is { Kind: PValueKind.Global } cls)
                {
                    cls.Use |= GlobalUse.Instantiated;
                }

                return null;
            case ("_codecs", "encode"):
                if (args.Item(0) is { Kind: PValueKind.Str, IsPartial: false } text)
                {
                    // Protocol 2 writes bytes as _codecs.encode(latin1_text, 'latin1'): recover them for payload checks.
                    var bytes = PValue.Bytes(Encoding.Latin1.GetBytes(text.AsString!), text.PayloadOffset);
                    OnConstant(bytes);
                    return bytes;
                }

                return null;
            default:
                return null;
        }
    }

    // pickle.dumps(tensor) writes torch.storage._load_from_bytes(<torch.save bytes>): real library output, but a
    // nested torch.load. When the bytes are at hand, they are scanned as the file they are and the call itself is not
    // an alarm; anything hidden inside is reported under the member. Bytes that cannot be re-read stay Critical.
    private bool ScanTorchStorageBytes(PValue callable, PValue call, ImportRecord record)
    {
        if (callable.Module != "torch.storage" || callable.Name != "_load_from_bytes" || call.Args?.Item(0) is not { Kind: PValueKind.Bytes } payload)
        {
            return false;
        }

        if (_scannedPayloads.Contains(payload.PayloadOffset))
        {
            record.Reported = true; // already scanned as an embedded pickle
            return true;
        }

        if (!payload.IsPartial)
        {
            record.Reported = true;
            _context.ScanChild($"torch.load@{payload.PayloadOffset}", new MemoryStream(payload.Data!, writable: false), payload.Data!.Length);
            return true;
        }

        if (_stream is { CanSeek: true } stream)
        {
            record.Reported = true;
            _context.ScanChild($"torch.load@{payload.PayloadOffset}", new IO.WindowStream(stream, payload.PayloadOffset, payload.Length), payload.Length);
            return true;
        }

        return false;
    }

    // copyreg.add_extension(module, name, code): later EXT opcodes with that code import module.name.
    private void RegisterExtension(PValue callable, PValue args)
    {
        if (PickleNames.Canonical(callable.Module!) is "copyreg" or "copy_reg" && callable.Name == "add_extension"
            && args.Item(0)?.AsString is { } module && args.Item(1)?.AsString is { } name && args.Item(2)?.AsLong is { } code)
        {
            _extensions[code] = (module, name);
        }
    }

    // The first dangerous import a computed value was derived from (e.g. getattr(...) called later).
    private ImportRecord? DangerIn(PValue value, int depth = 0)
    {
        if (depth > 8)
        {
            return null;
        }

        if (value.Kind == PValueKind.Global)
        {
            return _imports.TryGetValue(value, out var r) && r.Verdict.Class == CallableClass.Dangerous ? r : null;
        }

        if (value.Kind == PValueKind.Call)
        {
            return DangerIn(value.Callable!, depth + 1) ?? (value.Args is { Items: { } items } ? items.Select(i => DangerIn(i, depth + 1)).FirstOrDefault(r => r is not null) : null);
        }

        return null;
    }

    private void Trace(long offset, string opcode, string action, string target, string? detail, CallableVerdict verdict)
    {
        if (_context.Trace is null)
        {
            return;
        }

        string grade = verdict.Class switch
        {
            CallableClass.Allowed => $"Allowed ({verdict.Profile})",
            CallableClass.Dangerous => $"Dangerous ({verdict.Danger})",
            _ => "Unknown",
        };
        _context.Trace.Add(new PickleTraceEntry(_context.Path, _context.Member, offset, opcode, action, target, detail, grade));
    }
}
