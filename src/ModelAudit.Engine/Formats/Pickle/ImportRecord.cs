namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>An import seen in a stream, what is known about it, how it was used, and whether a finding named it.</summary>
internal sealed class ImportRecord
{
    public ImportRecord(PValue global, string opcode, CallableVerdict verdict, bool importable)
    {
        Global = global;
        Opcode = opcode;
        Verdict = verdict;
        Importable = importable;
    }

    public PValue Global { get; }

    public string Opcode { get; }

    public CallableVerdict Verdict { get; }

    /// <summary>False when the module path is not a Python dotted identifier: no loader can import it, so the real
    /// unpickler fails at this import.</summary>
    public bool Importable { get; }

    /// <summary>Every use seen so far (calls, constructions, builds), including uses through trampolines.</summary>
    public GlobalUse Uses { get; set; }

    public bool Reported { get; set; }

    /// <summary>The grade for everything the stream did with the name.</summary>
    public CallableClass Class => Verdict.ClassFor(Uses);
}
