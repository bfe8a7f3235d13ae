using System.Text;

namespace ModelAudit.Engine.Formats.Torch7;

/// <summary>
/// The names in a Lua function's bytecode that reach the host. Lua 5.1 and LuaJIT keep every global and field name
/// a function uses as a string constant of its chunk (os.execute is the constants "os" and "execute"), so the chunk's
/// printable strings, paired as the calls are written, say what it can call.
/// </summary>
internal static class Torch7LuaNames
{
    private static readonly (string Library, string Function)[] s_calls =
    {
        ("os", "execute"), ("io", "popen"), ("package", "loadlib"), ("os", "remove"), ("os", "rename"),
    };

    // Globals that run code from a file or a string, or reach native code (the FFI's cdef and load).
    private static readonly string[] s_globals = { "dofile", "loadfile", "loadstring", "ffi" };

    public static IReadOnlyList<string> Dangerous(byte[] bytecode)
    {
        HashSet<string> strings = PrintableStrings(bytecode);
        var found = new List<string>();
        foreach ((string library, string function) in s_calls)
        {
            if (strings.Contains(library) && strings.Contains(function))
            {
                found.Add(library + "." + function);
            }
        }

        found.AddRange(s_globals.Where(strings.Contains));
        return found;
    }

    // Runs of identifier characters: constants are stored as a length and the bytes, so each is one run.
    private static HashSet<string> PrintableStrings(byte[] bytes)
    {
        var strings = new HashSet<string>(StringComparer.Ordinal);
        int start = -1;
        for (int i = 0; i <= bytes.Length; i++)
        {
            bool identifier = i < bytes.Length && (char.IsAsciiLetterOrDigit((char)bytes[i]) || bytes[i] == '_');
            if (identifier && start < 0)
            {
                start = i;
            }
            else if (!identifier && start >= 0)
            {
                if (i - start is >= 2 and <= 64)
                {
                    strings.Add(Encoding.ASCII.GetString(bytes, start, i - start));
                }

                start = -1;
            }
        }

        return strings;
    }
}
