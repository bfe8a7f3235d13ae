namespace ModelAudit.Engine.Tests;

/// <summary>
/// The 122-gadget matrix of peers.md §6.2: each gadget as PROTO 4, STACK_GLOBAL(module, name), REDUCE('x').
/// Every one must be recognised by the denylist (not only graded as an unknown call) and be at least a Warning;
/// the ones that execute, resolve, deserialize or build code must be Critical.
/// </summary>
public sealed class GadgetMatrixTests
{
    private static readonly string[] s_gadgets =
    {
        "os.system",
        "posix.system",
        "nt.system",
        "subprocess.Popen",
        "builtins.eval",
        "builtins.exec",
        "__builtin__.eval",
        "builtins.__import__",
        "builtins.getattr",
        "builtins.setattr",
        "builtins.vars",
        "builtins.dict.get",
        "builtins.globals",
        "builtins.open",
        "builtins.breakpoint",
        "numpy.__builtins__",
        "runpy._run_code",
        "runpy.run_path",
        "pty.spawn",
        "bdb.Bdb.run",
        "pdb.run",
        "timeit.timeit",
        "cProfile.run",
        "profile.run",
        "trace.Trace.run",
        "code.InteractiveInterpreter.runcode",
        "code.InteractiveInterpreter",
        "codeop.compile_command",
        "doctest.debug_script",
        "idlelib.run.Executive.runcode",
        "idlelib.pyshell.ModifiedInterpreter.runcode",
        "lib2to3.pgen2.pgen.ParserGenerator.make_label",
        "lib2to3.pgen2.grammar.Grammar.loads",
        "pydoc.pipepager",
        "pydoc.locate",
        "pkgutil.resolve_name",
        "importlib.import_module",
        "inspect.getattr_static",
        "operator.attrgetter",
        "operator.methodcaller",
        "_operator.methodcaller",
        "_operator.attrgetter",
        "functools.partial",
        "functools.reduce",
        "marshal.loads",
        "types.FunctionType",
        "types.CodeType",
        "cloudpickle.cloudpickle._make_function",
        "ctypes.CDLL",
        "_ctypes.dlopen",
        "_posixsubprocess.fork_exec",
        "multiprocessing.util.spawnv_passfds",
        "asyncio.unix_events._UnixSubprocessTransport._start",
        "uuid._get_command_stdout",
        "_osx_support._read_output",
        "_aix_support._read_cmd_output",
        "imaplib.IMAP4_stream",
        "_pyrepl.pager.pipe_pager",
        "test.support.script_helper.assert_python_ok",
        "pip.main",
        "ensurepip._run_pip",
        "venv.create",
        "distutils.file_util.write_file",
        "_io.FileIO",
        "io.FileIO",
        "logging.FileHandler",
        "shutil.copy",
        "tempfile.mktemp",
        "webbrowser.open",
        "socket.create_connection",
        "ssl.get_server_certificate",
        "urllib.request.urlopen",
        "http.client.HTTPSConnection",
        "httplib.HTTPSConnection",
        "requests.api.get",
        "requests.get",
        "aiohttp.ClientSession",
        "http.server.HTTPServer",
        "smtplib.SMTP",
        "ftplib.FTP",
        "pickle.loads",
        "_pickle.loads",
        "dill.loads",
        "joblib.load",
        "numpy.load",
        "pandas.read_pickle",
        "torch.load",
        "torch.serialization.load",
        "torch.storage._load_from_bytes",
        "torch.hub.load",
        "torch.hub.load_state_dict_from_url",
        "torch.jit.unsupported_tensor_ops.execWrapper",
        "torch._inductor.codecache.compile_file",
        "torch._dynamo.guards.GuardBuilder.get",
        "torch.fx.experimental.symbolic_shapes.ShapeEnv.evaluate_guards_expression",
        "torch.utils.collect_env.run",
        "torch.utils.bottleneck.__main__.run_cprofile",
        "torch.utils._config_module.ConfigModule.load_config",
        "torch.utils.data.datapipes.utils.decoder.basichandlers",
        "numpy.testing._private.utils.runstring",
        "numpy.f2py.crackfortran.getlincoef",
        "mlflow.projects.backend.local._run_entry_point",
        "pandas.io.parsers.readers.read_csv",
        "copyreg.add_extension",
        "pathlib.os.system",
        "numpy.prod.os.system",
        "typing.get_type_hints",
        "unittest.mock._importer",
        "xmlrpc.server.resolve_dotted_attribute",
        "sympy.utilities.lambdify.lambdify",
        "_winapi.CreateProcess",
        "winreg.SetValueEx",
        "cPickle.loads",
        "commands.getoutput",
        "urllib2.urlopen",
        "urllib.urlretrieve",
        "__builtin__.reduce",
        "thread.start_new_thread",
        "BaseHTTPServer.HTTPServer",
        "_winreg.SetValueEx",
        "mailcap.findmatch",
        "fickling.hook.remove_hook",    };

    // Gadgets whose effect is file system, network or process state: a Warning is their grade.
    private static readonly HashSet<string> s_warningTier = new(StringComparer.Ordinal)
    {
        "distutils.file_util.write_file", "_io.FileIO", "io.FileIO", "logging.FileHandler", "shutil.copy", "tempfile.mktemp",
        "socket.create_connection", "ssl.get_server_certificate", "urllib.request.urlopen", "http.client.HTTPSConnection",
        "httplib.HTTPSConnection", "requests.api.get", "requests.get", "aiohttp.ClientSession", "http.server.HTTPServer",
        "smtplib.SMTP", "ftplib.FTP", "pandas.io.parsers.readers.read_csv", "winreg.SetValueEx", "urllib2.urlopen",
        "urllib.urlretrieve", "thread.start_new_thread", "BaseHTTPServer.HTTPServer", "_winreg.SetValueEx", "builtins.open",
        "torch.hub.load_state_dict_from_url",
    };

    // Module/name splits peers.md intends for the dotted-traversal rows.
    private static readonly Dictionary<string, (string, string)> s_splits = new(StringComparer.Ordinal)
    {
        ["pathlib.os.system"] = ("pathlib", "os.system"),
        ["numpy.prod.os.system"] = ("numpy", "prod.os.system"),
        ["builtins.dict.get"] = ("builtins", "dict.get"),
        ["numpy.__builtins__"] = ("numpy", "__builtins__"),
        ["torch.utils.bottleneck.__main__.run_cprofile"] = ("torch.utils.bottleneck.__main__", "run_cprofile"),
    };

    public static TheoryData<string> Gadgets()
    {
        var data = new TheoryData<string>();
        foreach (string g in s_gadgets)
        {
            data.Add(g);
        }

        return data;
    }

    internal static (string Module, string Name) Split(string gadget)
    {
        if (s_splits.TryGetValue(gadget, out var split))
        {
            return split;
        }

        string[] parts = gadget.Split('.');
        int moduleEnd = 1;
        while (moduleEnd < parts.Length - 1 && !char.IsUpper(parts[moduleEnd][0]))
        {
            moduleEnd++;
        }

        return (string.Join('.', parts[..moduleEnd]), string.Join('.', parts[moduleEnd..]));
    }

    [Fact]
    public void The_matrix_has_all_122_gadgets() => Assert.Equal(122, s_gadgets.Distinct().Count());

    [Theory]
    [MemberData(nameof(Gadgets))]
    public void Gadget_is_caught_by_the_denylist(string gadget)
    {
        var (module, name) = Split(gadget);
        ModelScanResult result = Scan.Bytes(PickleBuilder.Gadget(module, name), "model.pkl");
        ModelFinding finding = Assert.Single(result.Findings, f => f.Evidence?.StartsWith(module + "." + name, StringComparison.Ordinal) == true);
        Assert.NotEqual("MA1008", finding.RuleId);
        Severity expected = s_warningTier.Contains(gadget) ? Severity.Warning : Severity.Critical;
        Assert.True(finding.Severity >= expected, $"{gadget}: {finding.Severity} {finding.RuleId} {finding.Message}");
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Theory]
    [MemberData(nameof(Gadgets))]
    public void Gadget_is_caught_in_a_protocol_2_pickle_too(string gadget)
    {
        var (module, name) = Split(gadget);
        byte[] pickle = new PickleBuilder().Proto(2).Global(module, name).Mark().BinString("x").Tuple().Reduce().Stop().ToArray();
        ModelScanResult result = Scan.Bytes(pickle, "model.pkl");
        Assert.True(result.Findings.Any(f => f.Severity >= Severity.Warning && f.RuleId != "MA1008"), $"{gadget}: {result.Describe()}");
    }
}
