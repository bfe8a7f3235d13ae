using System.Reflection;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// How the unpickler turns GLOBAL/STACK_GLOBAL operands into what it imports: CPython's Python-2 name tables
/// (applied when the stream's protocol is below 3) and the aliases that must be graded as one module.
/// </summary>
internal static class PickleNames
{
    private static readonly Dictionary<string, string> s_importMapping = new(StringComparer.Ordinal);
    private static readonly Dictionary<(string, string), (string, string)> s_nameMapping = new();

    // Modules that are the same thing under another name; grading uses the canonical one.
    private static readonly Dictionary<string, string> s_aliases = new(StringComparer.Ordinal)
    {
        ["posix"] = "os",
        ["nt"] = "os",
        ["posixpath"] = "os.path",
        ["ntpath"] = "os.path",
        ["genericpath"] = "os.path",
        ["__builtin__"] = "builtins",
        ["__builtins__"] = "builtins",
        ["_io"] = "io",
        ["_operator"] = "operator",
        ["_pickle"] = "pickle",
        ["cPickle"] = "pickle",
        ["_socket"] = "socket",
        ["_ssl"] = "ssl",
        ["_sqlite3"] = "sqlite3",
        ["_signal"] = "signal",
        ["_winreg"] = "winreg",
        ["_functools"] = "functools",
        ["_collections"] = "collections",
        ["_marshal"] = "marshal",
    };

    static PickleNames()
    {
        foreach (string line in ReadResource("compat-names.txt"))
        {
            string[] f = line.Split('\t');
            if (f[0] == "import" && f.Length == 3)
            {
                s_importMapping[f[1]] = f[2];
            }
            else if (f[0] == "name" && f.Length == 5)
            {
                s_nameMapping[(f[1], f[2])] = (f[3], f[4]);
            }
        }
    }

    /// <summary>CPython's find_class remapping: only when <paramref name="protocol"/> &lt; 3 (fix_imports).</summary>
    public static (string Module, string Name) Remap(string module, string name, int protocol)
    {
        if (protocol >= 3)
        {
            return (module, name);
        }

        if (s_nameMapping.TryGetValue((module, name), out var mapped))
        {
            return mapped;
        }

        return s_importMapping.TryGetValue(module, out string? m) ? (m, name) : (module, name);
    }

    /// <summary>The module path graded for <paramref name="module"/>: <c>posix.system</c> is graded as <c>os.system</c>.</summary>
    public static string Canonical(string module)
    {
        int dot = module.IndexOf('.');
        string top = dot < 0 ? module : module[..dot];
        return s_aliases.TryGetValue(top, out string? alias) ? alias + (dot < 0 ? "" : module[dot..]) : module;
    }

    /// <summary>
    /// The path graded for an attribute traversal such as the <c>_os.system</c> of <c>argparse._os.system</c>: a
    /// module's globals name the modules it imported, by convention under a private alias (<c>import os as _os</c>,
    /// <c>import sys as _sys</c>), so leading underscores of the first step are dropped before the alias table.
    /// </summary>
    public static string CanonicalTraversal(string path)
    {
        string trimmed = path.TrimStart('_');
        return Canonical(trimmed.Length == 0 || trimmed[0] == '.' ? path : trimmed);
    }

    /// <summary>
    /// True when <paramref name="module"/> is a dotted path of Python identifiers. Anything else ("os\r", "mport os",
    /// "") names no module a loader can import, so the real unpickler fails at that import; text files whose first
    /// line happens to follow a GLOBAL opcode are not pickles that run anything.
    /// </summary>
    public static bool IsImportable(string module)
    {
        if (module.Length == 0)
        {
            return false;
        }

        foreach (string part in module.Split('.'))
        {
            if (part.Length == 0 || !(char.IsLetter(part[0]) || part[0] == '_'))
            {
                return false;
            }

            foreach (char c in part)
            {
                if (!(char.IsLetterOrDigit(c) || c == '_' || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark
                        or System.Globalization.UnicodeCategory.SpacingCombiningMark or System.Globalization.UnicodeCategory.ConnectorPunctuation))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Non-comment lines of an embedded data file.</summary>
    internal static IEnumerable<string> ReadResource(string fileName)
    {
        Assembly assembly = typeof(PickleNames).Assembly;
        string resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + fileName, StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line[0] != '#')
            {
                yield return line;
            }
        }
    }
}
