namespace ModelAudit.Engine.Formats.RSerialized;

/// <summary>What a walk of an R serialization stream found that loading or using the object acts on.</summary>
internal sealed class RWalkFacts
{
    // Kept per kind: enough to name what matters, bounded however many a crafted stream holds.
    public const int MaxKept = 64;

    /// <summary>Promises whose value is unbound: their expression runs when the object is first used.</summary>
    public List<RPromiseRecord> Promises { get; } = new();

    /// <summary>Environment bindings marked active: reading the variable calls its function.</summary>
    public List<RActiveBindingRecord> ActiveBindings { get; } = new();

    /// <summary>Graded functions named in code, by name.</summary>
    public Dictionary<string, RCallSite> Calls { get; } = new(StringComparer.Ordinal);

    /// <summary>Namespaces the stream references (unserialize loads each one: its package's code runs).</summary>
    public SortedSet<string> Namespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>ALTREP classes outside base R, as package::class (unserialize calls the class's own method).</summary>
    public SortedSet<string> AltrepClasses { get; } = new(StringComparer.Ordinal);

    /// <summary>.First/.Last functions of a workspace: R runs them when it starts in (or quits from) its folder.</summary>
    public List<(string Name, long Offset)> StartupHooks { get; } = new();

    /// <summary>String constants of code, for the content analyzers.</summary>
    public List<string> CodeStrings { get; } = new();
}
