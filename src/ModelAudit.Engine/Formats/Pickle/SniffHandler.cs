namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>A handler that records nothing but whether the stream imports anything: used to sniff for pickles.</summary>
internal sealed class SniffHandler : IPickleHandler
{
    public bool SawImport { get; private set; }

    public void OnProto(int protocol, long offset, bool repeated)
    {
    }

    public void OnImport(PValue global, string opcode, long offset) => SawImport = true;

    public void OnDynamicImport(PValue module, PValue name, long offset) => SawImport = true;

    public PValue? OnCall(PValue call) => null;

    public void OnInstantiate(PValue call)
    {
    }

    public void OnBuild(PValue target, PValue state, long offset, PickleMachine machine)
    {
    }

    public void OnMutate(PValue target, string opcode, long offset)
    {
    }

    public PValue OnExtension(long code, long offset)
    {
        SawImport = true;
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

    public void OnFrameViolation(string message, long offset)
    {
    }
}
