namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>
/// The names the template walk judges. Chat templates only read messages, tools and a few flags, format strings
/// and call <c>raise_exception</c>/<c>strftime_now</c>; none of them touches what is listed here, so each entry is an
/// injection technique, never a style.
/// </summary>
internal static class TemplateNames
{
    /// <summary>Free names that reach the host application or Python itself: Jinja2's template reference, Flask's
    /// globals, and modules or builtins that some render contexts expose.</summary>
    public static readonly HashSet<string> DangerousReferences = new(StringComparer.Ordinal)
    {
        "self", "config", "request", "session", "url_for", "get_flashed_messages", "os", "sys", "subprocess", "builtins",
        "__builtins__", "importlib", "eval", "exec", "__import__", "getattr", "setattr", "globals", "locals", "vars", "open",
        "compile",
    };

    /// <summary>Jinja2's default globals: calling them is ordinary (<c>range(n)</c>, <c>namespace(...)</c> as a
    /// counter), but they are Python functions, so reading an attribute of the function itself walks to its module
    /// globals (<c>cycler.__init__.__globals__.os</c>).</summary>
    public static readonly HashSet<string> WalkableGlobals = new(StringComparer.Ordinal)
    {
        "cycler", "joiner", "namespace", "lipsum", "range", "dict",
    };

    /// <summary>Python internals without dunders that lead from an object to frames, code and globals.</summary>
    public static readonly HashSet<string> InternalAttributes = new(StringComparer.Ordinal)
    {
        "mro", "func_globals", "func_code", "func_closure", "f_globals", "f_locals", "f_builtins", "f_back", "f_code",
        "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code", "tb_frame", "tb_next", "im_func", "im_self",
        "co_code", "_TemplateReference__context",
    };

    /// <summary>Methods that run commands or code, whatever object they are read from.</summary>
    public static readonly HashSet<string> ExecutionMethods = new(StringComparer.Ordinal)
    {
        "system", "popen", "Popen", "popen2", "popen3", "spawnl", "spawnle", "spawnlp", "spawnv", "spawnve", "spawnvp",
        "execl", "execle", "execlp", "execv", "execve", "execvp", "check_output", "check_call", "getoutput",
        "getstatusoutput", "import_module", "load_module", "load_source", "exec_module", "eval", "exec", "execfile",
        "__import__", "fork", "forkpty", "startfile", "run_path", "run_module",
    };

    /// <summary>Filters that read the attribute named by their first argument or <c>attribute=</c>, as |attr does.</summary>
    public static readonly HashSet<string> AttributeFilters = new(StringComparer.Ordinal)
    {
        "map", "selectattr", "rejectattr", "sort", "groupby", "unique", "min", "max", "sum",
    };

    /// <summary>Whether reading this attribute (or subscript) leaves the data and enters Python's object model.</summary>
    public static bool IsInternal(string name) =>
        name.StartsWith("__", StringComparison.Ordinal) || InternalAttributes.Contains(name);
}
