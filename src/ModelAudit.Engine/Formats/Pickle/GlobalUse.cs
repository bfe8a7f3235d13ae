namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// How a pickle used an imported global. Grading is by use: a name allowed as data may still not be called, and an
/// allowlist entry says which uses it permits (<see cref="PickleAllowlist"/>).
/// </summary>
[Flags]
internal enum GlobalUse
{
    /// <summary>Only referenced: an argument or a value (a subtype handed to numpy's _reconstruct, a dtype).</summary>
    None = 0,

    /// <summary>Called with arguments (REDUCE, INST, OBJ, or as a trampoline's callable): runs the callable.</summary>
    Called = 1,

    /// <summary>Instantiated without its __init__ (NEWOBJ, NEWOBJ_EX, copyreg reconstructors) and filled by BUILD.</summary>
    Constructed = 2,

    /// <summary>BUILD applied to the imported object itself: setattr on a module, class or function.</summary>
    Mutated = 4,

    /// <summary>Every use an allowlist entry can permit.</summary>
    Any = Called | Constructed,
}
