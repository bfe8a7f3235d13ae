namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>A handler that records nothing but whether the stream imports anything: used to sniff for pickles.</summary>
internal sealed class SniffHandler : IPickleHandler
{
    public bool SawImport { get; private set; }

    /// <summary>True once the stream did something a loader acts on: a call, a construction, a build, an extension, a
    /// dynamic import, or an import of a denylisted module that can be imported.</summary>
    public bool SawConsequence { get; private set; }

    public void OnProto(int protocol, long offset, bool repeated)
    {
    }

    /// <summary>True once the stream imported an importable name on no known-safe profile: importing its module runs
    /// that module's code even when the stream fails right after, so the bytes are read as a pickle.</summary>
    public bool SawUnknownImport { get; private set; }

    public void OnImport(PValue global, string opcode, long offset, string rawModule, string rawName)
    {
        SawImport = true;
        if (PickleNames.IsImportable(global.Module!))
        {
            SawConsequence |= PickleDenylist.Match(global.Module!, global.Name!) is not null;
            SawUnknownImport |= PickleClassifier.Classify(global.Module!, global.Name!).ClassFor(GlobalUse.None) != CallableClass.Allowed;
        }
    }

    public void OnDynamicImport(PValue module, PValue name, long offset) => SawImport = SawConsequence = true;

    public PValue? OnCall(PValue call)
    {
        SawConsequence = true;
        return null;
    }

    public void OnInstantiate(PValue call) => SawConsequence = true;

    public void OnBuild(PValue target, PValue state, long offset, PickleMachine machine) => SawConsequence = true;

    public void OnDictItems(IReadOnlyList<PValue> items)
    {
    }

    public void OnMutate(PValue target, string opcode, IReadOnlyList<PValue> items, long offset) => SawConsequence = true;

    public PValue OnExtension(long code, long offset)
    {
        SawImport = SawConsequence = true;
        return PValue.Global("<extension>", "?", offset);
    }

    public void OnPersistentId(PValue pid, long offset)
    {
    }

    public void OnLargePayload(PValue value)
    {
    }

    public void OnConstant(PValue value)
    {
    }

    /// <summary>True once an opcode crossed the end of its FRAME: _pickle.c then reads other bytes than this reading.</summary>
    public bool SawFrameViolation { get; private set; }

    public void OnFrameViolation(string message, long offset) => SawFrameViolation = true;
}
