namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>What the symbolic VM reports as it runs: every import, call, build and payload, in stream order.</summary>
internal interface IPickleHandler
{
    /// <summary>PROTO opcode; <paramref name="repeated"/> when the stream already had one.</summary>
    void OnProto(int protocol, long offset, bool repeated);

    /// <summary>GLOBAL, STACK_GLOBAL or INST resolved to a (module, name) global: <paramref name="global"/> after
    /// CPython's Python-2 name remapping, <paramref name="rawModule"/>.<paramref name="rawName"/> as written.</summary>
    void OnImport(PValue global, string opcode, long offset, string rawModule, string rawName);

    /// <summary>STACK_GLOBAL whose operands are not string constants.</summary>
    void OnDynamicImport(PValue module, PValue name, long offset);

    /// <summary>REDUCE, INST or OBJ: a callable called with arguments. May return a substitute result value.</summary>
    PValue? OnCall(PValue call);

    /// <summary>NEWOBJ or NEWOBJ_EX: cls.__new__(cls, *args).</summary>
    void OnInstantiate(PValue call);

    /// <summary>BUILD of <paramref name="state"/> into <paramref name="target"/>; the VM is passed for formats that
    /// interleave raw data with opcodes (joblib).</summary>
    void OnBuild(PValue target, PValue state, long offset, PickleMachine machine);

    /// <summary>SETITEM(S), APPEND(S) or ADDITEMS of <paramref name="items"/> on <paramref name="target"/>, an object
    /// that is not the list, dict or set the opcode fills natively (CPython calls the object's own method).</summary>
    void OnMutate(PValue target, string opcode, IReadOnlyList<PValue> items, long offset);

    /// <summary>SETITEM(S) of key, value <paramref name="items"/> on a dict the opcode fills natively (nothing runs;
    /// PyTorch state dicts name their tensors this way).</summary>
    void OnDictItems(IReadOnlyList<PValue> items);

    /// <summary>EXT1/2/4: returns the global the code resolves to (or a placeholder).</summary>
    PValue OnExtension(long code, long offset);

    /// <summary>PERSID/BINPERSID.</summary>
    void OnPersistentId(PValue pid, long offset);

    /// <summary>A string or bytes argument too large to keep: only a prefix was read, the rest skipped.</summary>
    void OnLargePayload(PValue value);

    /// <summary>A string or bytes constant kept in memory.</summary>
    void OnConstant(PValue value);

    /// <summary>An opcode crosses a FRAME boundary or a frame opens inside a frame.</summary>
    void OnFrameViolation(string message, long offset);
}
