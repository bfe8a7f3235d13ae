namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>How a pickle used an imported global: the grading of unknown imports depends on it.</summary>
[Flags]
internal enum GlobalUse
{
    None = 0,

    /// <summary>Called with arguments (REDUCE, INST, OBJ): runs the callable.</summary>
    Called = 1,

    /// <summary>Instantiated without running __init__ (NEWOBJ, NEWOBJ_EX, copyreg reconstructors).</summary>
    Instantiated = 2,

    /// <summary>BUILD applied to the imported object itself: setattr on a module, class or function.</summary>
    Mutated = 4,
}
