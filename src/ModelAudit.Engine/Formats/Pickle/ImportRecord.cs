namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>An import seen in a stream, its verdict, and whether a finding has already named it.</summary>
internal sealed class ImportRecord
{
    public ImportRecord(PValue global, string opcode, CallableVerdict verdict)
    {
        Global = global;
        Opcode = opcode;
        Verdict = verdict;
    }

    public PValue Global { get; }

    public string Opcode { get; }

    public CallableVerdict Verdict { get; }

    public bool Reported { get; set; }
}
