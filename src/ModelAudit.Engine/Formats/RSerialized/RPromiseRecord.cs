namespace ModelAudit.Engine.Formats.RSerialized;

/// <summary>An unevaluated promise found by the walk: where, under which variable, and what its expression names.</summary>
internal sealed class RPromiseRecord
{
    // Symbols kept to name what the expression refers to.
    public const int MaxSymbols = 16;

    public RPromiseRecord(long offset, string? binding, bool topLevel)
    {
        Offset = offset;
        Binding = binding;
        TopLevel = topLevel;
    }

    public long Offset { get; }

    public string? Binding { get; }

    /// <summary>The promise is the stream's top-level object: readRDS returns it, and the first use forces it.</summary>
    public bool TopLevel { get; }

    public List<string> Symbols { get; } = new();

    /// <summary>The expression contains a call (not only a constant or a variable).</summary>
    public bool HasCall { get; set; }

    /// <summary>The expression names a function that runs commands, reaches the network, evaluates computed code or writes files.</summary>
    public bool NamesDangerous { get; set; }
}
