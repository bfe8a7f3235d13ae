using System.Text;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Grades what the symbolic VM reports, by use. Each import is checked against the denylist first and the exact
/// allowlist second; its grade then follows from what the stream does with it — a name allowed as data is fine as
/// data, but called (directly, or as the callable of an allowed trampoline such as copyreg._reconstructor) it is
/// graded as a call. Denylisted names are findings named after what they do; other calls are Warnings; classes only
/// constructed and filled with data are Info. Each finding names the callable, the opcode, the offset and a
/// reconstruction of the call.
/// </summary>
internal sealed partial class PickleAnalysis : IPickleHandler
{
    private static readonly Dictionary<string, string[]> s_entryCves = new(StringComparer.Ordinal)
    {
        ["pip"] = new[] { "CVE-2025-1716" },
        ["asyncio"] = new[] { "CVE-2025-10157" },
    };

    private readonly ScanContext _context;
    private readonly Stream _stream;
    private readonly Dictionary<PValue, ImportRecord> _imports = new(ReferenceEqualityComparer.Instance);
    private readonly List<ImportRecord> _order = new();
    private readonly HashSet<string> _infoReported = new(StringComparer.Ordinal);
    private readonly Dictionary<long, (string Module, string Name)> _extensions = new();
    private readonly SortedSet<string> _cves = new(StringComparer.Ordinal);

    /// <param name="context">Where findings go.</param>
    /// <param name="stream">The pickle's bytes (payloads are read from it again).</param>
    /// <param name="readingNote">Said in every finding of a second reading of the bytes (which reading found it).</param>
    /// <param name="plainPickle">Read as pickle.load reads a joblib dump: the array bytes joblib reads as data are
    /// opcodes. That reading runs noise after the first array, so only what it does with named callables is reported;
    /// structure anomalies, extension codes and calls of computed values in noise are not findings.</param>
    /// <param name="tensors">Where the tensors a PyTorch pickle rebuilds are recorded; a reading of its own when null.</param>
    public PickleAnalysis(ScanContext context, Stream stream, string? readingNote = null, bool plainPickle = false, TorchTensorTable? tensors = null)
    {
        TorchTensors = tensors ?? new TorchTensorTable();
        _readingNote = readingNote;
        _plainPickle = plainPickle;
        _context = context;
        _stream = stream;
        _cves.UnionWith(context.Frame.CveHints);
        _cves.UnionWith(context.Frame.InJoblib ? new[] { "CVE-2020-13092" } : Array.Empty<string>());
    }

    private readonly string? _readingNote;

    /// <summary>True once a stream's STOP came before the end of its FRAME (see <see cref="PickleMachine.OpenFrameEnd"/>).</summary>
    public bool StoppedInsideFrame { get; set; }

    /// <summary>True once an opcode crossed the end of its FRAME (the readers of CPython then read different bytes).</summary>
    public bool SawFrameViolation { get; private set; }

    // Findings of a second reading of the bytes say which reading found them; the same finding at the same offset in
    // both readings is kept once (the file's findings are unique by rule, member, offset and evidence).
    private void Report(string ruleId, string message, long? offset = null, string? evidence = null, IReadOnlyList<string>? cve = null)
    {
        if (_plainPickle && s_noiseRules.Contains(ruleId))
        {
            return;
        }

        _context.Report(ruleId, _readingNote is null ? message : $"{message} {_readingNote}", offset, evidence, cve);
    }

    // What array bytes read as opcodes produce by chance; in the plain reading of a joblib dump they are not findings.
    private static readonly HashSet<string> s_noiseRules = new(StringComparer.Ordinal)
    {
        RuleIds.PickleStructureAnomaly, RuleIds.FrameViolation, RuleIds.DynamicImport, RuleIds.UnknownExtension,
        RuleIds.UnknownClassReference, RuleIds.EmbeddedPickle, RuleIds.PickleInBytes, RuleIds.MarshalledCode,
    };

    private readonly bool _plainPickle;

    /// <summary>Persistent ids seen: PyTorch storages as (key, storage type, element count).</summary>
    public List<(string Key, string StorageType, long Count)> Storages { get; } = new();

    /// <summary>The tensors the pickle rebuilds from PyTorch storages, with the names they are stored under.</summary>
    public TorchTensorTable TorchTensors { get; }

    /// <summary>True once a joblib NumpyArrayWrapper was built (the file is a joblib dump).</summary>
    public bool SawJoblibWrapper { get; private set; }

    /// <summary>True when the current stream did something a loader acts on: a call, a construction, a build, an
    /// extension lookup, a dynamic import, or an import of a denylisted module that can be imported.</summary>
    public bool StreamHadConsequence { get; private set; }

    /// <summary>True when the current stream imported an importable name on no known-safe profile (importing runs
    /// its module's code): worth reporting even when the stream then fails.</summary>
    public bool StreamImportedUnknown { get; private set; }

    /// <summary>True when any stream so far had a consequence.</summary>
    public bool AnyConsequence { get; private set; }

    /// <summary>Makes a CVE apply to every dangerous finding from now on (the container or the layout implies it).</summary>
    public void AddCve(string cve) => _cves.Add(cve);

    /// <summary>Starts the next stream. <paramref name="rejectPersistentIds"/>: CPython's own unpickler has no
    /// persistent_load and fails at the first persistent id; only loaders that define one (torch) go on. When the
    /// bytes are also another format, a first stream that needs one is not a pickle reading of them.</summary>
    public void BeginStream(bool rejectPersistentIds = false)
    {
        StreamHadConsequence = StreamImportedUnknown = false;
        _rejectPersistentIds = rejectPersistentIds;
    }

    private bool _rejectPersistentIds;

    /// <summary>Runs <paramref name="action"/> with one more CVE applying to its dangerous findings.</summary>
    public void WithCve(string cve, Action action)
    {
        bool added = _cves.Add(cve);
        try
        {
            action();
        }
        finally
        {
            if (added)
            {
                _cves.Remove(cve);
            }
        }
    }

    private void Consequence() => StreamHadConsequence = AnyConsequence = true;

    public void OnProto(int protocol, long offset, bool repeated)
    {
        if (repeated)
        {
            Report(RuleIds.PickleStructureAnomaly,
                "A second PROTO opcode inside one pickle stream: a payload may have been spliced into an existing pickle.", offset, $"PROTO {protocol}");
        }
    }

    public void OnImport(PValue global, string opcode, long offset, string rawModule, string rawName)
    {
        CallableVerdict verdict = _context.Frame.InTorchScript && (global.Module!.StartsWith("__torch__", StringComparison.Ordinal) || global.Module == "torch.jit._pickle")
            ? CallableVerdict.Allowed("torchscript")
            : PickleClassifier.Classify(global.Module!, global.Name!, _context.Options.Policy);
        bool importable = PickleNames.IsImportable(global.Module!);
        var record = new ImportRecord(global, opcode, verdict, importable);
        _imports[global] = record;
        _order.Add(record);
        _context.File.Observer?.Imports.Add(new ObservedImport(_context.Member, rawModule, rawName, global.Module!, global.Name!, offset));
        if (importable && record.Class == CallableClass.Dangerous)
        {
            Consequence();
        }

        StreamImportedUnknown |= importable && record.Class != CallableClass.Allowed;

        Trace(offset, opcode, "Import", global.QualifiedName, null, record.Verdict, GlobalUse.None);
    }

    public void OnDynamicImport(PValue module, PValue name, long offset)
    {
        Consequence();
        string detail = $"STACK_GLOBAL({module.Render(60)}, {name.Render(60)})";
        Report(RuleIds.DynamicImport,
            $"STACK_GLOBAL imports a module or name computed at load time: {detail}.", offset, detail);
        Trace(offset, "STACK_GLOBAL", "Import", "<dynamic>", detail, CallableVerdict.Dangerous(DangerKind.Resolver, "dynamic"), GlobalUse.None);
    }

    public PValue? OnCall(PValue call)
    {
        Consequence();
        PValue callable = call.Callable!;
        if (callable.Kind == PValueKind.Global && _imports.TryGetValue(callable, out ImportRecord? record))
        {
            record.Uses |= GlobalUse.Called;
            if (AttributeOfImport(callable, call) is { } attribute)
            {
                return attribute;
            }

            CallableClass grade = record.Verdict.ClassFor(GlobalUse.Called);
            if (grade == CallableClass.Unknown && PureBuiltins.IsPureCall(callable, call))
            {
                grade = CallableClass.Allowed; // len([]), max(1, 2): computing on data runs nothing
                record.Reported = true;
            }

            if (grade == CallableClass.Allowed)
            {
                // The common case (every tensor of a checkpoint): no rendering unless a trace asks for it.
                Trace(call.Offset, call.Opcode!, "Call", callable.QualifiedName, _context.Trace is null ? null : call.Render(), record.Verdict, GlobalUse.Called);
                GradeTrampolineArguments(callable, call);
                TorchTensors.OnCall(callable, call);
                return AllowedCallResult(callable, call);
            }

            string rendered = call.Render();
            Trace(call.Offset, call.Opcode!, "Call", callable.QualifiedName, rendered, record.Verdict, GlobalUse.Called);
            if (!record.Importable)
            {
                return null; // the real unpickler already failed at this import
            }

            if (ScanTorchStorageBytes(callable, call, record))
            {
                return null;
            }

            if (grade == CallableClass.Dangerous)
            {
                ReportDangerous(record, call.Offset, $"{rendered} is called by {call.Opcode}", rendered);
                InspectDangerousArguments(record.Verdict.Danger!.Value, call);
                RegisterExtension(callable, call.Args!);
                return null;
            }

            record.Reported = true;
            Report(RuleIds.NonAllowlistedCall,
                $"{rendered} is called by {call.Opcode}: {callable.QualifiedName} is on no known-safe profile for calls, and loading runs it.",
                call.Offset, rendered);
            return null;
        }

        // Calling something that is not a plain import: the result of another call (a resolver's output) or a constant.
        string computed = call.Render();
        Trace(call.Offset, call.Opcode!, "Call", "<computed>", computed, CallableVerdict.Unknown, GlobalUse.Called);
        ReportComputedCall(callable, computed, call.Offset, $"{computed} calls");
        return null;
    }

    public void OnInstantiate(PValue call)
    {
        Consequence();
        PValue cls = call.Callable!;
        if (cls.Kind == PValueKind.Global && _imports.TryGetValue(cls, out ImportRecord? record))
        {
            record.Uses |= GlobalUse.Constructed;
            Trace(call.Offset, call.Opcode!, "Instantiate", cls.QualifiedName, call.Render(), record.Verdict, GlobalUse.Constructed);
            return;
        }

        Trace(call.Offset, call.Opcode!, "Instantiate", "<computed>", call.Render(), CallableVerdict.Unknown, GlobalUse.Constructed);
        // Read as pickle.load reads a joblib dump, array bytes run as opcodes instantiate whatever they pushed: noise
        // unless it comes from a dangerous import, which DangerIn finds (the same rule as computed calls).
        if (DangerIn(cls) is null && !_plainPickle)
        {
            Report(RuleIds.NonAllowlistedCall, $"{call.Opcode} instantiates a class computed at load time: {call.Render()}.", call.Offset, call.Render());
        }
    }

    public void OnBuild(PValue target, PValue state, long offset, PickleMachine machine)
    {
        Consequence();
        if (target.Kind == PValueKind.Global)
        {
            if (_imports.TryGetValue(target, out ImportRecord? imported))
            {
                imported.Uses |= GlobalUse.Mutated;
            }

            string detail = $"{target.QualifiedName}.__dict__.update({state.Render(100)})";
            Trace(offset, "BUILD", "Build", target.QualifiedName, detail, CallableVerdict.Dangerous(DangerKind.Resolver, "setattr"), GlobalUse.Mutated);
            Report(RuleIds.ImportTargetMutation,
                $"BUILD sets attributes on the imported object {target.QualifiedName}: {detail}.", offset, detail);
            return;
        }

        if (target.Kind == PValueKind.Call && target.Callable is { Kind: PValueKind.Global } cls)
        {
            Trace(offset, "BUILD", "Build", cls.QualifiedName, null, _imports.TryGetValue(cls, out var r) ? r.Verdict : CallableVerdict.Unknown, GlobalUse.None);
            if (cls.Module == "joblib.numpy_pickle" && cls.Name == "NumpyArrayWrapper" && !_plainPickle)
            {
                SawJoblibWrapper = true;
                _cves.Add("CVE-2020-13092");
                JoblibArrays.ReadArrayData(state, offset, machine, _context, this);
            }
        }

        if (JoblibCompanions.LegacyWrapper(target) is { } wrapper)
        {
            SawJoblibWrapper = true;
            JoblibCompanions.Check(wrapper, state, offset, _context);
        }
    }

    public void OnDictItems(IReadOnlyList<PValue> items) => TorchTensors.OnItems(items);

    public void OnMutate(PValue target, string opcode, IReadOnlyList<PValue> items, long offset)
    {
        Consequence();
        if (opcode is "SETITEM" or "SETITEMS")
        {
            TorchTensors.OnItems(items); // an OrderedDict state_dict
        }

        if (target.Kind == PValueKind.Global)
        {
            Report(RuleIds.ImportTargetMutation,
                $"{opcode} modifies the imported object {target.QualifiedName} in place.", offset, target.QualifiedName);
            return;
        }

        // APPEND(S) and ADDITEMS look the method up on the instance (list_obj.append, set_obj.add), so an attribute
        // set by keyword arguments or BUILD state is what gets called with the items: grade it as that call.
        if (target.Kind == PValueKind.Call && InstanceMethod(target, opcode) is { } method)
        {
            OnCall(PValue.Call(method, PValue.Container(PValueKind.Tuple, items), opcode, offset));
        }

        if (target.Kind == PValueKind.Call && target.Callable is { Kind: PValueKind.Global } cls
            && cls.Module == "torch._utils" && cls.Name!.StartsWith("_rebuild", StringComparison.Ordinal))
        {
            Report(RuleIds.PickleStructureAnomaly,
                $"{opcode} applied to a tensor rebuilt by {cls.QualifiedName}: the pattern of CVE-2026-24747 (memory corruption in torch.load weights_only).",
                offset, opcode, cve: new[] { "CVE-2026-24747" });
        }
    }

    private static PValue? InstanceMethod(PValue instance, string opcode)
    {
        string[] names = opcode switch
        {
            "APPEND" => new[] { "append" },
            "APPENDS" => new[] { "extend", "append" }, // CPython prefers extend and falls back to append
            "ADDITEMS" => new[] { "add" },
            _ => Array.Empty<string>(), // SETITEM(S) use the type's __setitem__, never an instance attribute
        };
        foreach (string name in names)
        {
            PValue? found = null;
            foreach (PValue source in instance.AttributeSources ?? Enumerable.Empty<PValue>())
            {
                // BUILD state is a dict, or (dict, slotstate) whose second dict is set with setattr.
                foreach (PValue dict in source.Kind == PValueKind.Tuple ? source.Items ?? new List<PValue>() : new List<PValue> { source })
                {
                    found = dict.Lookup(name) ?? found;
                }
            }

            if (found is { Kind: PValueKind.Global or PValueKind.Call })
            {
                return found;
            }
        }

        return null;
    }

    public PValue OnExtension(long code, long offset)
    {
        Consequence();
        if (_extensions.TryGetValue(code, out var target))
        {
            var global = PValue.Global(target.Module, target.Name, offset);
            OnImport(global, $"EXT({code})", offset, target.Module, target.Name);
            return global;
        }

        Report(RuleIds.UnknownExtension,
            $"EXT opcode names extension code {code}, which no copyreg.add_extension call in the stream registered.", offset, $"EXT {code}");
        Trace(offset, "EXT", "Extension", $"<extension {code}>", null, CallableVerdict.Dangerous(DangerKind.ExtensionRegistry, "unregistered"), GlobalUse.None);
        return PValue.Global("<extension>", code.ToString(System.Globalization.CultureInfo.InvariantCulture), offset);
    }

    public void OnPersistentId(PValue pid, long offset)
    {
        if (_rejectPersistentIds && !StreamHadConsequence)
        {
            throw new PickleRejectedException("a persistent id, and pickle.load has no persistent_load", offset);
        }

        Trace(offset, "BINPERSID", "PersistentId", "persistent_load", pid.Render(120), CallableVerdict.Allowed("persistent"), GlobalUse.None);

        // PyTorch: ('storage', storage_type, key, location, numel[, view_metadata]).
        if (pid.Kind == PValueKind.Tuple && pid.Item(0)?.AsString == "storage" && pid.Item(1) is { Kind: PValueKind.Global } type
            && pid.Item(2)?.AsString is { } key && pid.Item(4)?.AsLong is { } count)
        {
            Storages.Add((key, type.Name!, count));
        }
    }

    public void OnFrameViolation(string message, long offset)
    {
        Consequence();
        SawFrameViolation = true;
        Report(RuleIds.FrameViolation, $"FRAME layout CPython's unpicklers read differently: {message}.", offset, "FRAME");
        Trace(offset, "FRAME", "Frame", "<frame>", message, CallableVerdict.Dangerous(DangerKind.Execution, "frame"), GlobalUse.None);
    }

    /// <summary>Reports, for the stream that just ended, what it imported and used but no finding named yet: dangerous
    /// imports, and unknown classes as Info. With <paramref name="report"/> false (bytes that turned out not to be a
    /// pickle) nothing is reported.</summary>
    public void FinishStream(bool report)
    {
        foreach (ImportRecord record in _order)
        {
            if (record.Reported || !report || !record.Importable)
            {
                continue;
            }

            PValue g = record.Global;
            switch (record.Class)
            {
                case CallableClass.Dangerous:
                    ReportDangerous(record, g.Offset, $"{g.QualifiedName} is imported by {record.Opcode}{UseText(record.Uses)}", g.QualifiedName);
                    break;
                case CallableClass.Unknown when _infoReported.Add(g.QualifiedName):
                    Report(RuleIds.UnknownClassReference,
                        $"{g.QualifiedName} is imported by {record.Opcode}{UseText(record.Uses)}; it is on no known profile, so loading needs module '{g.Module}' from the loading environment.",
                        g.Offset, g.QualifiedName);
                    break;
            }

            record.Reported = true;
        }

        _order.Clear();
    }

    private static string UseText(GlobalUse use) =>
        use.HasFlag(GlobalUse.Constructed) ? " and instantiated" : use.HasFlag(GlobalUse.Mutated) ? " and modified" : "";

    // An allowed trampoline (copyreg._reconstructor, torch's subclass rebuilders) calls or constructs its arguments:
    // grade each such argument as that use, so allowing the trampoline never allows what it reaches.
    private void GradeTrampolineArguments(PValue callable, PValue call)
    {
        if (PickleTrampolines.Of(callable.Module!, callable.Name!) is not { } positions)
        {
            return;
        }

        foreach (var (index, use) in positions)
        {
            PValue? argument = call.Args?.Item(index);
            if (argument is null)
            {
                continue;
            }

            string via = $"{callable.QualifiedName} (argument {index + 1} is {(use == GlobalUse.Called ? "called" : "instantiated")})";
            if (argument.Kind == PValueKind.Global && _imports.TryGetValue(argument, out ImportRecord? record))
            {
                record.Uses |= use;
                if (!record.Importable || record.Reported)
                {
                    continue;
                }

                CallableClass grade = record.Class;
                if (grade == CallableClass.Dangerous)
                {
                    ReportDangerous(record, call.Offset, $"{argument.QualifiedName} is reached through {via}", argument.QualifiedName);
                }
                else if (grade == CallableClass.Unknown && use == GlobalUse.Called)
                {
                    record.Reported = true;
                    Report(RuleIds.NonAllowlistedCall,
                        $"{argument.QualifiedName} is called through {via}: it is on no known-safe profile for calls, and loading runs it.",
                        call.Offset, argument.QualifiedName);
                }
            }
            else if (use == GlobalUse.Called && argument.Kind is PValueKind.Call or PValueKind.Persistent)
            {
                ReportComputedCall(argument, argument.Render(), call.Offset, $"{call.Render()} calls, through {via},");
            }
        }
    }

    private void ReportComputedCall(PValue callable, string rendered, long offset, string what)
    {
        if (DangerIn(callable) is { } danger)
        {
            Report(RuleIds.ExecutionCallable,
                $"{what} a callable obtained at load time from {danger.Global.QualifiedName}.", offset, rendered);
        }
        else if (callable.Kind != PValueKind.Global && !_plainPickle)
        {
            Report(RuleIds.NonAllowlistedCall, $"{what} a value computed at load time.", offset, rendered);
        }
    }

    private void ReportDangerous(ImportRecord record, long offset, string what, string evidence)
    {
        record.Reported = true;
        DangerKind kind = record.Verdict.Danger!.Value;
        string entry = record.Verdict.MatchedEntry ?? "";
        string top = entry.Split('.')[0];
        var cve = new SortedSet<string>(_cves, StringComparer.Ordinal);
        if (s_entryCves.TryGetValue(top, out string[]? ids))
        {
            cve.UnionWith(ids);
        }

        Report(RuleFor(kind), $"{what}: {Explain(kind)} (matched '{entry}').", offset, evidence, cve: cve.ToArray());
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
            || !_imports.TryGetValue(owner, out ImportRecord? ownerRecord) || ownerRecord.Class == CallableClass.Dangerous
            || attribute.Length == 0 || attribute.Contains('.') || PickleDenylist.DangerousDunders.Contains(attribute))
        {
            return null;
        }

        _imports[callable].Reported = true;
        var global = PValue.Global(owner.Module!, owner.Name + "." + attribute, call.Offset);
        CallableVerdict verdict = PickleClassifier.Classify(global.Module!, global.Name!, _context.Options.Policy);

        // The owner's own import already speaks for it; the member is a finding only if dangerous or called.
        var record = new ImportRecord(global, "getattr", verdict, ownerRecord.Importable) { Reported = verdict.ClassFor(GlobalUse.None) != CallableClass.Dangerous };
        _imports[global] = record;
        _order.Add(record);
        _context.File.Observer?.Imports.Add(new ObservedImport(_context.Member, owner.Module!, owner.Name + "." + attribute, global.Module!, global.Name!, call.Offset));
        Trace(call.Offset, call.Opcode!, "Import", global.QualifiedName, call.Render(), verdict, GlobalUse.None);
        return global;
    }

    // Allowlisted callables whose result matters to later analysis.
    private PValue? AllowedCallResult(PValue callable, PValue call)
    {
        PValue args = call.Args!;
        if (callable.Module == "_codecs" && callable.Name == "encode" && args.Item(0) is { Kind: PValueKind.Str, IsPartial: false } text)
        {
            // Protocol 2 writes bytes as _codecs.encode(latin1_text, 'latin1'): recover them for payload checks.
            var bytes = PValue.Bytes(Encoding.Latin1.GetBytes(text.AsString!), text.PayloadOffset);
            OnConstant(bytes);
            return bytes;
        }

        return null;
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
            return _imports.TryGetValue(value, out var r) && r.Verdict.Danger is not null && r.Class == CallableClass.Dangerous ? r : null;
        }

        if (value.Kind == PValueKind.Call)
        {
            return DangerIn(value.Callable!, depth + 1) ?? (value.Args is { Items: { } items } ? items.Select(i => DangerIn(i, depth + 1)).FirstOrDefault(r => r is not null) : null);
        }

        return null;
    }

    private void Trace(long offset, string opcode, string action, string target, string? detail, CallableVerdict verdict, GlobalUse use)
    {
        if (_context.Trace is null)
        {
            return;
        }

        string grade = verdict.ClassFor(use) switch
        {
            CallableClass.Allowed => $"Allowed ({verdict.Profile})",
            CallableClass.Dangerous => $"Dangerous ({verdict.Danger})",
            _ => "Unknown",
        };
        _context.Trace.Add(new PickleTraceEntry(_context.Path, _context.Member, offset, opcode, action, target, detail, grade));
    }
}
