namespace ModelAudit.Engine.Formats.RSerialized;

/// <summary>
/// The R functions whose use in serialized code matters, by exact symbol name (a call <c>base::system(…)</c> reads as
/// the symbols ::, base and system, so the name alone is what is matched). Benign model objects carry functions too
/// (glm families, caret's model info, custom predict functions), and those call eval, do.call and .Call freely; only
/// functions that reach the host are graded.
/// </summary>
internal static class RCallGrades
{
    /// <summary>Run commands or load native code (base R, and the packages whose whole purpose is to: processx and
    /// sys run processes, reticulate runs Python, which runs anything).</summary>
    public static readonly HashSet<string> Execution = new(StringComparer.Ordinal)
    {
        "system", "system2", "shell", "shell.exec", "pipe", "dyn.load", "library.dynam", "processx",
        "exec_wait", "exec_background", "exec_internal", "py_run_string", "py_run_file", "py_eval",
    };

    /// <summary>Reach the network.</summary>
    public static readonly HashSet<string> Network = new(StringComparer.Ordinal)
    {
        "download.file", "url", "socketConnection", "make.socket", "curlGetHeaders", "serverSocket", "socketAccept",
    };

    /// <summary>Turn strings into code (or run a file of it): a function that holds one can run any command without
    /// naming it, and the serialized functions of models (predict, link, family functions) have no need to.</summary>
    public static readonly HashSet<string> CodeFromStrings = new(StringComparer.Ordinal)
    {
        "parse", "str2lang", "str2expression", "source", "sys.source",
    };

    /// <summary>Evaluate computed code or call functions by computed name: in a promise, how a payload hides its calls.</summary>
    public static readonly HashSet<string> DynamicEvaluation = new(StringComparer.Ordinal)
    {
        "eval", "evalq", "eval.parent", "parse", "str2lang", "str2expression", "source", "sys.source", "do.call", "match.fun",
        "get", "get0", "mget", "getExportedValue", "getFromNamespace", ".Internal", ".Primitive", ".Call", ".External",
        ".C", ".Fortran", "library", "require", "requireNamespace", "loadNamespace", "attachNamespace", "unserialize", "readRDS",
        "load",
    };

    /// <summary>Write or remove files or change the session's environment: in a promise, a payload that plants code R or
    /// the shell runs later (.Rprofile or .bashrc in the home folder) without naming a command.</summary>
    public static readonly HashSet<string> FileWrites = new(StringComparer.Ordinal)
    {
        "writeLines", "writeChar", "writeBin", "cat", "sink", "write", "dput", "dump", "saveRDS", "save", "file.create",
        "file.append", "file.copy", "file.rename", "file.symlink", "file.link", "file.remove", "unlink", "Sys.chmod",
        "Sys.setenv", "write.table", "write.csv",
    };

    /// <summary>Namespaces of base R (attached or loaded by every R session): a reference to one loads nothing new.</summary>
    public static readonly HashSet<string> BaseNamespaces = new(StringComparer.Ordinal)
    {
        "base", "stats", "utils", "methods", "graphics", "grDevices", "datasets", "grid", "splines", "stats4", "tools",
        "parallel", "compiler", "tcltk",
    };

    /// <summary>ALTREP classes base R defines (compact sequences, wrappers, deferred strings, memory maps).</summary>
    public static readonly HashSet<string> BaseAltrepClasses = new(StringComparer.Ordinal)
    {
        "compact_intseq", "compact_realseq", "deferred_string", "wrap_integer", "wrap_logical", "wrap_real", "wrap_complex",
        "wrap_raw", "wrap_string", "wrap_list", "mmap_integer", "mmap_real",
    };
}
