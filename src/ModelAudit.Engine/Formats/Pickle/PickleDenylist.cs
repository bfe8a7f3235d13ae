namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// The union denylist (the anchor's lists, picklescan, modelscan, fickling, saferpickle and the 122-gadget matrix
/// of peers.md §6.2), keyed by canonical dotted path. An entry covers that path and everything below it; the
/// longest matching entry decides, so <c>os.path</c> (file system) is graded apart from <c>os</c> (execution).
/// </summary>
internal static class PickleDenylist
{
    private static readonly Dictionary<string, DangerKind> s_entries = Build();

    // Only a prefix no longer than the longest entry can match one: a crafted name of thousands of dotted parts
    // (every suffix of it is graded) would otherwise cost a copy of the name per part and per suffix.
    private static readonly int s_longestEntry = s_entries.Keys.Max(k => k.Length);

    /// <summary>Names of the functions in os, subprocess, pty, builtins and runpy that run a process or Python code:
    /// the end of a dotted traversal we cannot resolve is graded by them (and only there, never a plain import).</summary>
    private static readonly HashSet<string> s_runnerNames = new(StringComparer.Ordinal)
    {
        "system", "popen", "Popen", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp",
        "spawnvpe", "execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe", "posix_spawn",
        "posix_spawnp", "startfile", "fork", "forkpty", "call", "check_call", "check_output", "run", "getoutput",
        "getstatusoutput", "spawn", "eval", "exec", "execfile", "compile", "__import__", "run_path", "run_module",
    };

    /// <summary>Dunder attributes whose traversal reaches interpreter internals (globals, builtins, subclasses…).</summary>
    public static readonly HashSet<string> DangerousDunders = new(StringComparer.Ordinal)
    {
        "__builtins__", "__globals__", "__dict__", "__class__", "__subclasses__", "__getattribute__", "__getattr__",
        "__import__", "__loader__", "__spec__", "__code__", "__closure__", "__func__", "__self__", "__bases__",
        "__base__", "__mro__", "__init__", "__new__", "__call__", "__reduce__", "__reduce_ex__", "__setattr__",
        "__delattr__", "__setstate__", "__getitem__", "__setitem__", "__defaults__", "__kwdefaults__", "__wrapped__",
    };

    /// <summary>
    /// The worst entry matching an imported (module, name): the canonical full path, and every dotted suffix of the
    /// attribute path (so <c>pathlib</c> + <c>os.system</c> and <c>numpy</c> + <c>prod.os.system</c> are caught);
    /// dunder traversal is a resolver. Ordinal, case-exact, like CPython.
    /// </summary>
    public static (DangerKind Kind, string Entry)? Match(string module, string name)
    {
        (DangerKind Kind, string Entry)? worst = null;
        void Consider((DangerKind Kind, string Entry)? match)
        {
            if (match is { } m && (worst is null || PickleClassifier.Rank(m.Kind) > PickleClassifier.Rank(worst.Value.Kind)))
            {
                worst = m;
            }
        }

        Consider(LongestMatch(PickleNames.Canonical(module) + "." + name));
        string[] parts = name.Split('.');
        for (int i = 0; i < parts.Length; i++)
        {
            if (DangerousDunders.Contains(parts[i]))
            {
                Consider((DangerKind.Resolver, parts[i]));
            }

            // Attribute traversal (protocol 4 dotted names) can reach a module through another one's globals:
            // every dotted suffix is graded as a path of its own. A single plain name is covered by the full path.
            if (parts.Length > 1)
            {
                string suffix = string.Join('.', parts, i, parts.Length - i);
                Consider(LongestMatch(PickleNames.Canonical(suffix)));
                Consider(LongestMatch(PickleNames.CanonicalTraversal(suffix)));
            }
        }

        // A traversal through a global we cannot resolve (a module imported under some other alias, `sp.Popen`)
        // that ends at the name of a process or code runner reaches it on any reading where the alias is that module.
        if (worst is null && parts.Length > 1 && s_runnerNames.Contains(parts[^1]))
        {
            Consider((DangerKind.Execution, "attribute traversal to " + parts[^1]));
        }

        return worst;
    }

    /// <summary>The longest entry that is <paramref name="path"/> or a dotted parent of it.</summary>
    public static (DangerKind Kind, string Entry)? LongestMatch(string path)
    {
        string candidate = path;
        if (candidate.Length > s_longestEntry)
        {
            int cut = candidate.LastIndexOf('.', s_longestEntry);
            if (cut < 0)
            {
                return null;
            }

            candidate = candidate[..cut];
        }

        while (true)
        {
            if (s_entries.TryGetValue(candidate, out DangerKind kind))
            {
                return (kind, candidate);
            }

            int dot = candidate.LastIndexOf('.');
            if (dot < 0)
            {
                return null;
            }

            candidate = candidate[..dot];
        }
    }

    private static Dictionary<string, DangerKind> Build()
    {
        var d = new Dictionary<string, DangerKind>(StringComparer.Ordinal);

        void Add(DangerKind kind, params string[] paths)
        {
            foreach (string p in paths)
            {
                d[p] = kind;
            }
        }

        Add(DangerKind.Execution,
            "os", "subprocess", "pty", "runpy", "commands", "code", "codeop", "compileall", "py_compile", "timeit",
            "cProfile", "profile", "pdb", "bdb", "trace", "doctest", "idlelib", "lib2to3", "pydoc", "pip", "ensurepip",
            "venv", "_posixsubprocess", "_winapi", "ctypes", "_ctypes", "cffi", "webbrowser", "_osx_support",
            "_aix_support", "_pyrepl", "test.support", "asyncio", "multiprocessing", "concurrent.futures.process", "mailcap",
            "pexpect", "sh", "site", "atexit", "distutils", "setuptools", "IPython", "pyximport", "imaplib.IMAP4_stream",
            "uuid._get_command_stdout", "uuid._popen", "uuid._find_mac", "uuid._ifconfig_getnode", "uuid._ip_getnode",
            "uuid._arp_getnode", "uuid._lanscan_getnode", "uuid._netstat_getnode", "uuid._ipconfig_getnode",
            "platform._syscmd_ver", "platform._syscmd_file", "platform.popen", "platform._syscmd_uname",
            "builtins.eval", "builtins.exec", "builtins.execfile", "builtins.breakpoint", "builtins.help",
            "builtins.map", "builtins.filter", "builtins.apply", "builtins.reduce", "functools.reduce", "itertools.starmap",
            "typing.get_type_hints", "typing._eval_type", "typing.ForwardRef",
            "numpy.testing", "numpy.f2py", "numpy.distutils", "numpy.ctypeslib",
            "torch.utils.collect_env", "torch.utils.bottleneck", "torch._dynamo", "torch.fx",
            "torch.jit.unsupported_tensor_ops", "torch._inductor", "torch.utils.cpp_extension", "torch.hub",
            "torch.distributed.rpc", "torch._C._jit_compile", "torch.compile", "torch.ops",
            "mlflow.projects", "mlflow.pyfunc", "sympy.utilities.lambdify", "sympy.sympify", "sympy.core.sympify",
            "sympy.parsing", "pandas.eval", "pandas.core.computation", "numexpr", "jinja2", "keras.layers.Lambda",
            "fabric", "invoke", "plumbum", "pywintypes", "win32api", "win32process", "win32com");

        Add(DangerKind.Resolver,
            "builtins.getattr", "builtins.setattr", "builtins.delattr", "builtins.vars", "builtins.globals",
            "builtins.locals", "builtins.dir", "builtins.__import__", "builtins.__builtins__", "builtins.dict.get",
            "builtins.object.__getattribute__", "builtins.type.__getattribute__",
            "importlib", "imp", "_imp", "pkgutil", "zipimport", "_frozen_importlib", "_frozen_importlib_external",
            "pydoc.locate", "inspect", "unittest.mock", "xmlrpc.server.resolve_dotted_attribute", "cgitb.lookup",
            "operator", "functools.partial", "functools.partialmethod", "functools.singledispatch", "gc", "sys.modules",
            "torch.fx.graph_module", "__builtins__", "builtins.__loader__");

        Add(DangerKind.NestedDeserialization,
            "pickle", "cPickle", "_pickle", "dill", "joblib", "shelve", "jsonpickle", "yaml.load", "yaml.unsafe_load",
            "yaml.full_load", "yaml.load_all", "yaml.unsafe_load_all", "yaml.full_load_all", "yaml.UnsafeLoader",
            "yaml.FullLoader", "yaml.Loader", "numpy.load", "numpy.loads", "numpy.lib.npyio", "numpy.lib.format",
            "numpy.core.multiarray.fromfile", "pandas.read_pickle", "pandas.io.pickle", "torch.load",
            "torch.serialization", "torch.storage._load_from_bytes", "torch.utils._config_module",
            "torch.utils.data.datapipes", "torch.jit.load", "torch.jit._serialization", "torch.package",
            "torch._C._load_for_lite_interpreter", "keras.models.load_model", "keras.saving",
            "tensorflow.keras.models.load_model", "tf_keras.models.load_model", "sklearn.externals.joblib",
            "lib2to3.pgen2.grammar.Grammar.loads");

        Add(DangerKind.CodeObject,
            "marshal", "types", "cloudpickle", "dill._dill", "new", "builtins.compile", "builtins.function",
            "builtins.code");

        Add(DangerKind.ExtensionRegistry,
            "copyreg.add_extension", "copyreg._extension_registry", "copyreg._inverted_registry", "copy_reg",
            "copyreg._extension_cache", "copyreg.remove_extension", "copyreg.pickle", "copyreg.dispatch_table");

        Add(DangerKind.ScannerTampering,
            "fickling", "picklescan", "modelscan", "modelaudit", "saferpickle", "model_unpickler", "safe_pickle");

        Add(DangerKind.FileSystem,
            "builtins.open", "builtins.file", "io", "os.path", "shutil", "tempfile", "glob", "fileinput", "filecmp",
            "pathlib", "logging", "zipfile", "tarfile", "gzip", "bz2", "lzma", "sqlite3", "dbm", "mmap",
            "numpy.save", "numpy.savez", "numpy.savez_compressed", "numpy.savetxt", "numpy.fromfile", "numpy.loadtxt",
            "numpy.genfromtxt", "numpy.memmap", "numpy.core.memmap", "pandas.read_csv", "pandas.read_excel",
            "pandas.read_json", "pandas.read_parquet", "pandas.read_hdf", "pandas.read_sql", "pandas.read_html",
            "pandas.io", "h5py", "zipapp", "linecache", "netrc");

        Add(DangerKind.Network,
            "socket", "ssl", "http", "urllib", "requests", "aiohttp", "httpx", "urllib3", "ftplib", "smtplib", "poplib",
            "imaplib", "nntplib", "telnetlib", "xmlrpc", "socketserver", "selectors", "select", "paramiko", "dns",
            "boto3", "botocore", "huggingface_hub", "smtpd", "asynchat", "asyncore", "wsgiref", "email.mime",
            // Python 2 names: remapped by the unpickler below protocol 3, listed as themselves for any protocol.
            "urllib2", "httplib", "BaseHTTPServer", "SimpleHTTPServer", "CGIHTTPServer", "SocketServer", "xmlrpclib",
            "SimpleXMLRPCServer", "DocXMLRPCServer");

        Add(DangerKind.Process,
            "sys", "threading", "_thread", "signal", "resource", "faulthandler", "winreg", "msvcrt", "syslog",
            "platform", "getpass", "pwd", "grp", "thread", "dummy_thread", "builtins.exit", "builtins.quit", "builtins.input",
            "builtins.raw_input", "concurrent.futures", "sched", "tracemalloc", "sysconfig", "ctypes.util");

        return d;
    }
}
