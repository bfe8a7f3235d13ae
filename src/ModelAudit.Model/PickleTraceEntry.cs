namespace ModelAudit;

/// <summary>One step of a pickle's symbolic trace: an import, call, instantiation, build or payload, in stream order.</summary>
public sealed class PickleTraceEntry
{
    /// <summary>Creates an entry. Made by the engine.</summary>
    public PickleTraceEntry(string path, string? member, long offset, string opcode, string action, string target, string? detail, string grade)
    {
        Path = path;
        Member = member;
        Offset = offset;
        Opcode = opcode;
        Action = action;
        Target = target;
        Detail = detail;
        Grade = grade;
    }

    /// <summary>The scanned file.</summary>
    public string Path { get; }

    /// <summary>Member inside containers, or null.</summary>
    public string? Member { get; }

    /// <summary>Byte offset of the opcode in the member (or file).</summary>
    public long Offset { get; }

    /// <summary>The opcode: GLOBAL, STACK_GLOBAL, REDUCE, NEWOBJ, BUILD…</summary>
    public string Opcode { get; }

    /// <summary>Import, Call, Instantiate, Build, Mutate, Extension, PersistentId or Payload.</summary>
    public string Action { get; }

    /// <summary>The module.name concerned.</summary>
    public string Target { get; }

    /// <summary>A one-line reconstruction, e.g. <c>os.system('id')</c>.</summary>
    public string? Detail { get; }

    /// <summary>How the target is graded: Allowed (profile), Dangerous (kind) or Unknown.</summary>
    public string Grade { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Offset,8} {Opcode,-12} {Action,-11} {Detail ?? Target}";
}
