namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>Why a callable is on the denylist; decides the rule and the severity.</summary>
internal enum DangerKind
{
    /// <summary>Runs commands or Python code (MA1001, Critical).</summary>
    Execution,

    /// <summary>Fetches an arbitrary attribute or module at load time (MA1002, Critical).</summary>
    Resolver,

    /// <summary>Deserializes another payload (MA1003, Critical).</summary>
    NestedDeserialization,

    /// <summary>Builds code or function objects (MA1004, Critical).</summary>
    CodeObject,

    /// <summary>Registers copyreg extension codes (MA1020, Critical).</summary>
    ExtensionRegistry,

    /// <summary>Imports a model scanner to disable it (MA1015, Critical).</summary>
    ScannerTampering,

    /// <summary>File system access (MA1009, Warning).</summary>
    FileSystem,

    /// <summary>Network access (MA1010, Warning).</summary>
    Network,

    /// <summary>Process, thread, signal, interpreter or registry manipulation (MA1011, Warning).</summary>
    Process,
}
