using ModelAudit.Engine.Formats.Pickle;

namespace ModelAudit.Engine.Formats.Keras;

/// <summary>
/// A Lambda layer's function as Keras stores it: base64 of <c>marshal.dumps(func.__code__)</c>. Decoded and read
/// statically (<see cref="MarshalCodeReader"/>); the names and string constants it uses decide whether it is
/// dangerous. Names are exact identifiers from co_names, never substrings of the code.
/// </summary>
internal static class KerasLambdaCode
{
    // Marshalled lambdas are a few hundred bytes; a megabyte of "function" is not a Lambda Keras wrote.
    private const int MaxEncodedChars = 1 << 20;

    // Globals, attributes and module names that run commands or code, import, or reach the interpreter's internals.
    // Generic verbs (run, call, load, remove) are left out: benign tensor code uses them as method names.
    private static readonly HashSet<string> s_dangerousNames = new(StringComparer.Ordinal)
    {
        "os", "posix", "nt", "sys", "subprocess", "builtins", "__builtins__", "__builtin__", "importlib", "runpy", "pty",
        "socket", "shutil", "ctypes", "marshal", "pickle", "dill", "cloudpickle", "webbrowser", "urllib", "requests", "http",
        "code", "codeop", "commands", "multiprocessing", "exec", "eval", "compile", "execfile", "__import__", "open",
        "getattr", "setattr", "globals", "locals", "vars", "breakpoint", "system", "popen", "spawnl", "spawnv",
        "spawnve", "spawnlp", "execv", "execve", "execl", "execvp", "fork", "unlink", "rmtree",
        "check_output", "check_call", "Popen", "import_module", "loads", "urlopen", "__globals__",
        "__subclasses__", "__code__", "__class__", "__bases__", "__mro__", "__getattribute__",
    };

    /// <summary>The dangerous names the code uses, or null when <paramref name="encoded"/> is not a marshalled code
    /// object. Throws <see cref="ModelFormatException"/> for a code object that cannot be read.</summary>
    public static IReadOnlyList<string>? DangerousNames(string encoded)
    {
        if (encoded.Length > MaxEncodedChars || Decode(encoded) is not { } bytes || MarshalCodeReader.Read(bytes) is not { } code)
        {
            return null;
        }

        return code.Names.Concat(code.Constants).Where(s_dangerousNames.Contains).Distinct(StringComparer.Ordinal).ToArray();
    }

    // codecs.encode(…, "base64") breaks lines every 76 characters; Windows paths may add backslashes before them.
    private static byte[]? Decode(string encoded)
    {
        string compact = new(encoded.Where(c => !char.IsWhiteSpace(c) && c != '\\').ToArray());
        var buffer = new byte[compact.Length * 3 / 4 + 3];
        return Convert.TryFromBase64String(compact, buffer, out int written) ? buffer[..written] : null;
    }
}
