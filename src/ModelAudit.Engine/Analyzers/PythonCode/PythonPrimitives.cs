namespace ModelAudit.Engine.Analyzers.PythonCode;

/// <summary>The calls the code analysis reports, by fully qualified name after import aliases are resolved.</summary>
internal static class PythonPrimitives
{
    /// <summary>Built-in functions that run code given as data.</summary>
    public static readonly HashSet<string> CodeRunners = new(StringComparer.Ordinal) { "exec", "eval", "compile", "builtins.exec", "builtins.eval", "builtins.compile" };

    private static readonly string[] s_executionPrefixes =
    {
        "subprocess.", "pty.spawn", "commands.", "os.exec", "os.spawn", "os.posix_spawn", "runpy.", "ctypes.CDLL", "ctypes.cdll.",
        "ctypes.windll.", "ctypes.WinDLL",
    };

    private static readonly HashSet<string> s_execution = new(StringComparer.Ordinal)
    {
        "os.system", "os.popen", "os.startfile", "pickle.loads", "pickle.load", "cPickle.loads", "dill.loads", "dill.load",
        "marshal.loads", "cloudpickle.loads", "shelve.open", "code.interact", "code.InteractiveInterpreter",
    };

    private static readonly string[] s_networkPrefixes =
    {
        "socket.", "requests.", "urllib.request.", "urllib2.", "http.client.", "httpx.", "aiohttp.", "ftplib.", "smtplib.",
        "telnetlib.", "paramiko.", "websocket.", "websockets.", "pycurl.",
    };

    private static readonly HashSet<string> s_network = new(StringComparer.Ordinal) { "urllib.urlopen", "urllib.urlretrieve" };

    private static readonly HashSet<string> s_fileChanges = new(StringComparer.Ordinal)
    {
        "os.remove", "os.unlink", "os.rmdir", "os.removedirs", "shutil.rmtree", "os.chmod", "os.chown", "os.lchown",
    };

    /// <summary>Calls that turn data into code or text: their result fed to exec/eval means hidden code.</summary>
    public static readonly HashSet<string> Decoders = new(StringComparer.Ordinal)
    {
        "base64.b64decode", "base64.b32decode", "base64.b16decode", "base64.a85decode", "base64.b85decode", "base64.decodebytes",
        "base64.urlsafe_b64decode", "base64.standard_b64decode", "codecs.decode", "bytes.fromhex", "bytearray.fromhex",
        "binascii.unhexlify", "binascii.a2b_base64", "binascii.a2b_hex", "zlib.decompress", "gzip.decompress", "bz2.decompress",
        "lzma.decompress", "marshal.loads", "chr",
    };

    public static bool IsExecution(string name) => s_execution.Contains(name) || s_executionPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    public static bool IsNetwork(string name) => s_network.Contains(name) || s_networkPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    public static bool IsFileChange(string name) => s_fileChanges.Contains(name);
}
