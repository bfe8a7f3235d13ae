namespace ModelAudit.Engine.Tests;

/// <summary>
/// Grading by use in the places a review found it too lenient: calls that CPython makes through an instance's own
/// methods (APPEND on a non-list), and imports that reach a runner through another module's globals.
/// </summary>
public sealed class PickleGradingTests
{
    private static ModelScanResult ScanPickle(PickleBuilder pickle) => Scan.Bytes(pickle.ToArray(), "model.pkl");

    // types.SimpleNamespace() with BUILD {'append': <callable>}, then APPENDS: CPython calls obj.append(item).
    private static PickleBuilder AppendThroughInstance(string module, string name, byte appendOpcode = (byte)'e') =>
        new PickleBuilder().Proto(4)
            .Str("types").Str("SimpleNamespace").StackGlobal().EmptyTuple().NewObj()
            .EmptyDict().Str("append").Str(module).Str(name).StackGlobal().SetItem().Build()
            .Mark().Str("echo pwned").Op(appendOpcode).Stop();

    [Fact]
    public void Review_example_argparse_private_os_alias_appended_is_critical()
    {
        ModelScanResult result = ScanPickle(AppendThroughInstance("argparse", "_os.system"));
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Message.Contains("called by APPENDS", StringComparison.Ordinal));
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void An_unknown_function_called_through_an_instance_method_is_a_warning_not_info()
    {
        ModelScanResult result = ScanPickle(AppendThroughInstance("mypkg.helpers", "run_hook"));
        Assert.True(result.Has("MA1008", Severity.Warning), result.Describe());
        Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void The_same_unknown_function_only_stored_as_data_stays_info()
    {
        var p = new PickleBuilder().Proto(4)
            .Str("types").Str("SimpleNamespace").StackGlobal().EmptyTuple().NewObj()
            .EmptyDict().Str("hook").Str("mypkg.helpers").Str("run_hook").StackGlobal().SetItem().Build().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.False(result.Has("MA1008"), result.Describe());
        Assert.True(result.Has("MA1012", Severity.Info), result.Describe());
    }

    [Fact]
    public void Single_append_and_keyword_arguments_of_newobj_ex_are_followed_too()
    {
        // SimpleNamespace(**{'append': os.system}) by NEWOBJ_EX, then one APPEND.
        var p = new PickleBuilder().Proto(4)
            .Str("types").Str("SimpleNamespace").StackGlobal().EmptyTuple()
            .EmptyDict().Str("append").Str("mypkg").Str("hook").StackGlobal().SetItem()
            .Op(0x92).Str("payload").Append().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.Contains(result.Findings, f => f.RuleId == "MA1008" && f.Message.Contains("called by APPEND", StringComparison.Ordinal));
    }

    [Fact]
    public void A_later_duplicate_key_in_build_state_is_the_one_called()
    {
        // {'append': list.append, 'append': mypkg.hook}: the dict keeps the last value, as the unpickler's does.
        var p = new PickleBuilder().Proto(4)
            .Str("types").Str("SimpleNamespace").StackGlobal().EmptyTuple().NewObj()
            .EmptyDict().Mark().Str("append").Str("builtins").Str("len").StackGlobal()
            .Str("append").Str("mypkg").Str("hook").StackGlobal().Op('u').Build()
            .Mark().Str("x").Op('e').Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.Contains(result.Findings, f => f.RuleId == "MA1008" && f.Evidence!.StartsWith("mypkg.hook(", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("argparse", "_os.system")]
    [InlineData("tempfile", "_os.popen")]
    [InlineData("argparse", "_sys.modules.os.system")]
    [InlineData("random", "_os.execv")]
    [InlineData("mypkg", "sp.Popen")] // an alias we cannot resolve, ending at a process runner
    [InlineData("mypkg", "_subprocess.check_output")]
    public void Attribute_traversal_to_a_runner_through_a_module_alias_is_critical(string module, string name)
    {
        var p = new PickleBuilder().Proto(4).Str(module).Str(name).StackGlobal()
            .Mark().Str("id").Tuple().Reduce().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    [Theory]
    [InlineData("collections", "OrderedDict")]
    [InlineData("mypkg.model", "Outer.Inner")] // a nested class: dotted, but no runner at its end
    public void Plain_and_nested_class_references_are_not_runners(string module, string name)
    {
        var p = new PickleBuilder().Proto(4).Str(module).Str(name).StackGlobal().EmptyTuple().NewObj().Stop();
        ModelScanResult result = ScanPickle(p);
        Assert.False(result.Has("MA1001"), result.Describe());
    }
}

/// <summary>
/// joblib writes array bytes inline after each NumpyArrayWrapper: sizing them exactly as joblib reads them is what
/// keeps the opcodes after an array in view. Each case hides a payload after an array a lenient reader mis-sizes.
/// </summary>
public sealed class JoblibArrayLayoutTests
{
    // After the array the outer stream goes on: POP the wrapper, then os.system('echo pwned'), then STOP.
    private static readonly byte[] s_continuation = new PickleBuilder().Pop().Call("os", "system", "echo pwned").Stop().ToArray();

    private static readonly byte[] s_payload = new PickleBuilder().Proto(4).Call("os", "system", "echo pwned").Stop().ToArray();

    // NumpyArrayWrapper() BUILD {state}; the caller appends the array bytes and the rest of the stream.
    private static PickleBuilder Wrapper(Action<PickleBuilder> dtype, Action<PickleBuilder> extraState)
    {
        var p = new PickleBuilder().Proto(4)
            .Str("joblib.numpy_pickle").Str("NumpyArrayWrapper").StackGlobal().EmptyTuple().NewObj()
            .EmptyDict().Mark()
            .Str("subclass").Str("numpy").Str("ndarray").StackGlobal()
            .Str("order").Str("C")
            .Str("allow_mmap").Op(0x89)
            .Str("dtype");
        dtype(p);
        extraState(p);
        return p.Op('u').Build();
    }

    private static void Dtype(PickleBuilder p, string descr, Action<PickleBuilder>? state = null)
    {
        p.Dtype(descr);
        if (state is not null)
        {
            state(p);
            p.Build();
        }
    }

    private static void Shape(PickleBuilder p, int n) => p.Str("shape").Mark().Int(n).Tuple();

    // The array as joblib sizes it, the continuation with the payload, then filler and a STOP where a reader that
    // sizes the array larger (by <paramref name="overSkip"/> bytes) would land, having skipped the payload as data.
    private static ModelScanResult ScanJoblib(PickleBuilder wrapper, byte[] arrayBytes, int overSkip)
    {
        byte[] filler = new byte[Math.Max(0, overSkip - s_continuation.Length)];
        byte[] file = wrapper.ToArray().Concat(arrayBytes).Concat(s_continuation).Concat(filler).Append((byte)'.').ToArray();
        ModelScanResult result = Scan.Bytes(file, "model.joblib");
        Assert.DoesNotContain(result.Findings, f => f.RuleId.StartsWith("MA9", StringComparison.Ordinal));
        return result;
    }

    [Fact]
    public void Flexible_dtype_is_sized_by_the_elsize_of_its_state()
    {
        // dtype('S8') whose state says elsize 1: numpy's setstate keeps 1, so eight items are 8 bytes, not 64.
        var w = Wrapper(p => Dtype(p, "S8", s => s.Mark().Int(3).Str("|").None().None().None().Int(1).Int(1).Int(0).Tuple()),
            p => Shape(p, 8));
        ModelScanResult result = ScanJoblib(w, new byte[8], overSkip: 56);
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Alignment_padding_is_read_whenever_the_attribute_is_not_none()
    {
        // numpy_array_alignment_bytes = 'x' (not an int): joblib still reads a padding byte and skips that many.
        var w = Wrapper(p => Dtype(p, "<f8"), p => { Shape(p, 1); p.Str("numpy_array_alignment_bytes").Str("x"); });
        byte[] array = new byte[] { 4, 0, 0, 0, 0 }.Concat(new byte[8]).ToArray();
        ModelScanResult result = ScanJoblib(w, array, overSkip: 0);
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    [Fact]
    public void A_duplicate_shape_key_sizes_the_array_by_the_last_value()
    {
        // {'shape': (100,), …, 'shape': (1,)}: the dict keeps (1,), so the array is 8 bytes, not 800.
        var w = Wrapper(p => Dtype(p, "<f8"), p => { Shape(p, 100); Shape(p, 1); });
        ModelScanResult result = ScanJoblib(w, new byte[8], overSkip: 792);
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Differential_example_pickle_load_of_a_joblib_dump_runs_the_array_bytes_as_opcodes()
    {
        // s5000-42391 (a mutated sklearn dump): joblib reads the bytes after the wrapper as its array; pickle.load, for
        // which the wrapper is a plain object, runs them. Here they are os.system('id') padded to whole float64s.
        // 20 bytes of call, NONE, one NONE/POP pair and STOP: 24 bytes, three float64s.
        byte[] array = "cos\nsystem\n(S'id'\ntRN"u8.ToArray().Concat(Pairs(1)).Append((byte)'.').ToArray();
        Assert.Equal(0, array.Length % 8);
        var w = Wrapper(p => Dtype(p, "<f8"), p => Shape(p, array.Length / 8));
        ModelScanResult result = Scan.Bytes(w.ToArray().Concat(array).Append((byte)'.').ToArray(), "model.pkl");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Severity == Severity.Critical
            && f.Message.Contains("as pickle.load reads it", StringComparison.Ordinal));
    }

    // NONE POP pairs: opcodes that leave the stack as it was.
    private static IEnumerable<byte> Pairs(int count) => Enumerable.Range(0, count).SelectMany(_ => "N0"u8.ToArray());

    [Fact]
    public void Benign_array_bytes_read_as_opcodes_are_not_findings()
    {
        // Float data run as opcodes by pickle.load is noise: whatever it happens to do with no named callable is silent.
        byte[] array = Enumerable.Range(0, 64).SelectMany(i => BitConverter.GetBytes(Math.Sin(i) * 3.7)).ToArray();
        var w = Wrapper(p => Dtype(p, "<f8"), p => Shape(p, 64));
        ModelScanResult result = Scan.Bytes(w.ToArray().Concat(array).Append((byte)'.').ToArray(), "model.joblib");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.DoesNotContain(result.Findings, f => f.Message.Contains("as pickle.load reads it", StringComparison.Ordinal));
    }

    [Fact]
    public void A_structured_dtype_with_an_object_field_is_read_as_the_nested_pickle_joblib_runs()
    {
        // dtype('V16') with fields {'a': (dtype('O8'), 0), 'b': (dtype('<f8'), 8)} and flags 0 (a lie): joblib
        // sees hasobject and unpickles the array from the stream, so the payload is the array itself.
        var w = Wrapper(
            p => Dtype(p, "V16", s => s.Mark().Int(3).Str("|").None().Mark().Str("a").Str("b").Tuple()
                .EmptyDict().Str("a").Mark().Dtype("O8").Int(0).Tuple().SetItem()
                .Str("b").Mark().Dtype("<f8").Int(8).Tuple().SetItem()
                .Int(16).Int(1).Int(0).Tuple()),
            p => Shape(p, 1));
        byte[] head = w.ToArray();
        ModelScanResult result = Scan.Bytes(head.Concat(s_payload).ToArray(), "model.joblib");
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
        Assert.True(result.Has("MA1016"), result.Describe());
    }
}

internal static class JoblibDtypeBuilder
{
    public static PickleBuilder Dtype(this PickleBuilder p, string descr) =>
        p.Str("numpy").Str("dtype").StackGlobal().Mark().Str(descr).Op(0x89).Op(0x88).Tuple().Reduce();
}

/// <summary>Bytes on which CPython imports a name and then fails: the import is still reported (importing a module
/// runs its code), without making the bytes a pickle that ran something.</summary>
public sealed class ImportThenFailTests
{
    [Fact]
    public void An_unknown_import_before_a_failure_is_reported_on_text_that_is_also_a_pickle()
    {
        // GLOBAL mymodule.Thing, then TUPLE without a MARK: both unpicklers import mymodule first.
        ModelScanResult result = Scan.Bytes("cmymodule\nThing\nt."u8.ToArray(), "notes.txt");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1012" && f.Evidence == "mymodule.Thing");
        Assert.DoesNotContain(result.Findings, f => f.RuleId.StartsWith("MA9", StringComparison.Ordinal));
    }

    [Fact]
    public void An_allowlisted_import_before_a_failure_leaves_text_alone()
    {
        ModelScanResult result = Scan.Bytes("ccollections\nOrderedDict\nt."u8.ToArray(), "notes.txt");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.DoesNotContain(result.Findings, f => f.RuleId.StartsWith("MA1", StringComparison.Ordinal));
    }

    [Fact]
    public void A_global_line_cut_by_the_end_of_the_file_is_read_as_the_pure_python_unpickler_reads_it()
    {
        // pickle._Unpickler (joblib's) takes 'sy' without a newline and drops its last byte: find_class('posix', 's').
        ModelScanResult result = Scan.Bytes(new byte[] { 0x80, 0x02 }.Concat("cposix\nsy"u8.ToArray()).ToArray(), "model.pkl");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Evidence == "posix.s");
    }

    [Fact]
    public void A_line_cut_only_by_the_sniffing_head_is_not_a_last_line()
    {
        // A protocol-0 string longer than the sniffing head, then a call: still a pickle reading, and the call found.
        string text = "S'" + new string('a', 20_000) + "'\n0cos\nsystem\n(S'id'\ntR.";
        ModelScanResult result = Scan.Bytes(System.Text.Encoding.ASCII.GetBytes(text), "model.pkl");
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }
}

/// <summary>
/// BINUNICODE arguments are decoded on the spot with ('utf-8', 'surrogatepass'): bytes that are not fail the load
/// there, in both unpicklers, and nothing after them runs — but encoded surrogates are accepted and the load goes on.
/// </summary>
public sealed class UnicodeArgumentTests
{
    private static byte[] Gadget(byte[] module) => new PickleBuilder().Proto(4).Op(0x8C).Op((byte)module.Length).Raw(module)
        .Str("system").Op(0x93).Str("id").Op(0x85).Op((byte)'R').Stop().ToArray();

    [Theory]
    [InlineData(new byte[] { 0xC1, (byte)'o', (byte)'s' })]       // C1 never starts a sequence (a mutated 'posix' did this)
    [InlineData(new byte[] { (byte)'o', 0xE2, 0x28, 0xA1 })]      // a broken three-byte sequence
    [InlineData(new byte[] { (byte)'o', (byte)'s', 0xF5 })]       // past U+10FFFF
    public void A_string_that_is_not_utf8_stops_the_load_and_is_inconclusive_not_clean(byte[] module)
    {
        // CPython: UnicodeDecodeError at the first string; the import and the call after it never happen.
        ModelScanResult result = Scan.Bytes(Gadget(module), "model.pkl");
        Assert.True(result.Outcome == ScanOutcome.Inconclusive, result.Describe());
        Assert.True(result.Has("MA9001") || result.Has("MA9004"), result.Describe());
    }

    [Fact]
    public void An_encoded_surrogate_is_accepted_as_surrogatepass_accepts_it_and_what_follows_is_graded()
    {
        // 'os' + ED A0 80 (U+D800): the load goes on; the import fails at run time, but the string before it runs.
        byte[] data = new PickleBuilder().Proto(4).Op(0x8C).Op(3).Raw(new byte[] { 0xED, 0xA0, 0x80 }).Op((byte)'0')
            .Global("os", "system").Str("id").Op(0x85).Op((byte)'R').Stop().ToArray();
        ModelScanResult result = Scan.Bytes(data, "model.pkl");
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }
}

/// <summary>
/// An opcode that crosses a FRAME's end: _pickle.c reading a file without peek() (torch.load's BytesIO) drops what is
/// left of the frame and reads the argument afresh from the frame's end, so from there it runs other opcodes than a
/// linear reading. The file is read a second time that way and what C would import and call is graded too.
/// </summary>
public sealed class FrameSplitImportTests
{
    private const string CReading = "as _pickle.c reads one without peek()";

    [Fact]
    public void The_name_the_C_unpickler_imports_after_the_frame_is_graded_too()
    {
        // PROTO 4, FRAME 4, 'c' 'dat' | 'builtins\n' 'open\n' ( 'echo pwned' t R .   C: builtins.open is called.
        byte[] data = Convert.FromHexString("800495040000000000000063646174" + "6275696c74696e730a6f70656e0a288c0a6563686f2070776e656474522e");
        ModelScanResult result = Scan.Bytes(data, "data.pkl");
        Assert.True(result.Has("MA1007", Severity.Critical), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1009" && f.Evidence!.StartsWith("builtins.open(", StringComparison.Ordinal)
            && f.Message.Contains(CReading, StringComparison.Ordinal));
    }

    [Fact]
    public void When_the_module_line_is_whole_inside_the_frame_only_the_name_is_read_again()
    {
        // FRAME 8 covers 'cposix\nx'; C keeps module 'posix', drops 'x' and reads 'system\n' after the frame.
        byte[] data = Convert.FromHexString("80049508000000000000006370" + "6f7369780a78" + "73797374656d0a2e");
        ModelScanResult result = Scan.Bytes(data, "data.pkl");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Evidence == "posix.system");
    }

    [Fact]
    public void Differential_example_a_binfloat_across_the_frame_end_hides_a_call_only_c_makes()
    {
        // s3002-26261: PROTO 3, MARK, FRAME 8 holding MARK NONE POP and half a BINFLOAT. The linear reading takes the
        // float from the frame and fails on NEWOBJ; pickle._Unpickler fails at the frame end; _pickle.c drops the
        // half float, reads 8 fresh bytes after the frame and goes on to io.open(None). It used to scan Clean.
        byte[] data = Convert.FromHexString(
            "800328" + "950800000000000000" + "284e30473fda8457" + "f97de69e28816f31" + "63696f0a6f70656e0a4e8552" + "4301384620322e300a64924620322e300a90522e");
        ModelScanResult result = Scan.Bytes(data, "data.dat");
        Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
        Assert.True(result.Has("MA1007", Severity.Critical), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1009" && f.Evidence!.StartsWith("io.open(", StringComparison.Ordinal));
    }

    [Fact]
    public void Differential_example_a_name_line_that_fails_after_crossing_the_frame_end_is_read_again()
    {
        // s6004-7048: inside FRAME 50, STACK_GLOBAL posix.system, PROTO 5 and 'ccopyreg\n_reconstr…' whose name line
        // runs past the frame end and is no UTF-8 name. The linear reading fails there; _pickle.c drops the partial line
        // and reads 'r\n' after the frame, then calls copyreg.r. The failure used to hide the crossing.
        byte[] data = Convert.FromBase64String(
            "gASVMgAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOABWNjb3B5cmVnCl9yZWNvbnN0co0yoIJNPh8ddWN0b3IKKIwIYnVpbHRpbnNYBwAAAGNvbXBsZXiTjAhidWlsdGluc4wEbGlzdJNOdFIulIwXZWNobyBtb2RlbGF1ZGl0LWZpeHR1cmWUhZRSlC4=");
        ModelScanResult result = Scan.Bytes(data, "os_system_p4.pkl");
        Assert.True(result.Has("MA1007", Severity.Critical), result.Describe());
        Assert.Contains(result.Findings, f => f.Evidence is { } e && e.StartsWith("copyreg.r(", StringComparison.Ordinal)
            && f.Message.Contains(CReading, StringComparison.Ordinal));
    }

    [Fact]
    public void Differential_example_a_module_line_that_fails_after_crossing_the_frame_end_is_read_again()
    {
        // s6004-78203: FRAME 27 ends inside 'csu\x00}…csubpro': the linear reading fails on that module name and the
        // bytes were not even taken for a pickle; _pickle.c reads 'cess\nrun\n' after the frame and calls cess.run.
        byte[] data = Convert.FromBase64String("gASVGwAAAAAAAAB9lCiMAWGAAmNzdQB9lCiMAWGAAmNzdWJwcm9jZXNzCnJ1bgpYAAAAAIVSLpRdlChLAUsCZYwBYpRLA0sEhpR1Lg==");
        ModelScanResult result = Scan.Bytes(data, "pytorch_model.bin");
        Assert.Equal("Pickle", result.Format);
        Assert.True(result.Has("MA1007", Severity.Critical), result.Describe());
        Assert.Contains(result.Findings, f => f.Evidence is { } e && e.StartsWith("cess.run(", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Fx", "1.5")] // linear: the line 'x1.5' is no float; C drops the 'x' and reads '1.5'
    [InlineData("Iz", "7")]   // linear: the line 'z7' is no int; C drops the 'z' and reads '7'
    public void A_number_line_that_fails_across_the_frame_end_still_gets_the_c_reading(string inFrame, string afterFrame)
    {
        // The linear reading fails on the line it joined across the frame's end; C pops the number and runs os.system.
        byte[] frame = System.Text.Encoding.ASCII.GetBytes(inFrame);
        byte[] after = System.Text.Encoding.ASCII.GetBytes(afterFrame + "\n0cos\nsystem\n(S'id'\ntR.");
        byte[] data = new PickleBuilder().Proto(4).Frame(frame.Length).ToArray().Concat(frame).Concat(after).ToArray();
        ModelScanResult result = Scan.Bytes(data, "data.pkl");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Severity == Severity.Critical
            && f.Message.Contains(CReading, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(3)] // a BININT argument split 3 + 1
    [InlineData(1)] // split 1 + 3
    public void A_fixed_size_argument_across_the_frame_end_resumes_after_the_frame(int inFrame)
    {
        // FRAME holds EMPTY_TUPLE and the first bytes of BININT's argument; C skips them and reads its four bytes after
        // the frame, then runs the GLOBAL/REDUCE that follow. Linear: the BININT eats the first bytes of 'cos…'.
        byte[] frame = new byte[] { (byte)')', (byte)'J' }.Concat(Enumerable.Repeat((byte)'0', inFrame)).ToArray();
        byte[] after = new byte[] { 1, 2, 3, 4 }.Concat("0cos\nsystem\n(S'id'\ntR."u8.ToArray()).ToArray();
        byte[] data = new PickleBuilder().Proto(4).Frame(frame.Length).ToArray().Concat(frame).Concat(after).ToArray();
        ModelScanResult result = Scan.Bytes(data, "data.pkl");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Severity == Severity.Critical
            && f.Message.Contains(CReading, StringComparison.Ordinal));
    }

    [Fact]
    public void A_frame_that_overflows_the_buffered_frame_starts_at_its_end()
    {
        // FRAME 10 buffers [FRAME n, 'S']: n bytes do not fit in what is left, so C drops the 'S' and takes the next n
        // bytes as the frame; they hold the call. The linear reading starts a STRING at the 'S' and fails on 'cos'.
        byte[] call = "cos\nsystem\n(S'id'\ntR."u8.ToArray();
        byte[] inner = new PickleBuilder().Frame(call.Length).ToArray();
        byte[] outer = inner.Concat(new byte[] { (byte)'S' }).ToArray();
        byte[] data = new PickleBuilder().Proto(4).Frame(outer.Length).ToArray().Concat(outer).Concat(call).ToArray();
        ModelScanResult result = Scan.Bytes(data, "data.pkl");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Message.Contains(CReading, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("S")] // the linear reading starts a STRING there and fails on the next line
    [InlineData("I0")] // … or an INT whose line is the module name
    public void After_a_stop_inside_a_frame_pickle_py_starts_the_next_pickle_at_the_frames_end(string rest)
    {
        // s5000-7833: pickle._Unpickler gives each load() a new frame reader, so the bytes of the frame after a STOP are
        // dropped and the next pickle starts at the frame's end; _pickle.c and a linear reading go on after the STOP.
        byte[] inFrame = new byte[] { (byte)'}', (byte)'.' }.Concat(System.Text.Encoding.ASCII.GetBytes(rest)).ToArray();
        byte[] next = "cos\nsystem\n(S'id'\ntR."u8.ToArray();
        byte[] data = new PickleBuilder().Proto(4).Frame(inFrame.Length).ToArray().Concat(inFrame).Concat(next).ToArray();
        ModelScanResult result = Scan.Bytes(data, "data.pkl");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Severity == Severity.Critical
            && f.Message.Contains("as pickle._Unpickler does", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pickle_whose_frames_are_whole_is_read_once_and_stays_clean()
    {
        // Large frames written the way pickle.dumps writes them: no opcode crosses an end, no second reading.
        var p = new PickleBuilder().Proto(4);
        byte[] body = new PickleBuilder().EmptyDict().Str("w").Bytes(new byte[100]).SetItem().ToArray();
        byte[] data = p.Frame(body.Length).ToArray().Concat(body).Concat(new PickleBuilder().Stop().ToArray()).ToArray();
        ModelScanResult result = Scan.Bytes(data, "model.pkl");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.DoesNotContain(result.Findings, f => f.Message.Contains(CReading, StringComparison.Ordinal));
    }
}

/// <summary>Noise on benign files: builtins that only compute on data, and bytes that merely look encoded.</summary>
public sealed class BenignNoiseTests
{
    [Theory]
    [InlineData("len")]
    [InlineData("max")]
    [InlineData("sorted")]
    [InlineData("sum")]
    [InlineData("hash")]
    public void A_pure_builtin_called_on_data_is_clean(string name)
    {
        var p = new PickleBuilder().Proto(4).Str("builtins").Str(name).StackGlobal()
            .Mark().Mark().Int(3).Int(1).Int(2).Op('l').Tuple().Reduce().Stop();
        ModelScanResult result = Scan.Bytes(p.ToArray(), "model.pkl");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.DoesNotContain(result.Findings, f => f.Severity >= Severity.Warning);
    }

    [Theory]
    [InlineData("max", "os", "system")]
    [InlineData("sorted", "mypkg", "hook")]
    public void The_same_builtin_given_a_callable_argument_is_not_clean(string name, string module, string callableName)
    {
        var p = new PickleBuilder().Proto(4).Str("builtins").Str(name).StackGlobal()
            .Mark().Mark().Int(1).Op('l').Str(module).Str(callableName).StackGlobal().Tuple().Reduce().Stop();
        ModelScanResult result = Scan.Bytes(p.ToArray(), "model.pkl");
        Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void Iter_with_a_sentinel_calls_its_argument_and_stays_graded()
    {
        var p = new PickleBuilder().Proto(4).Str("builtins").Str("iter").StackGlobal()
            .Mark().Str("mypkg").Str("hook").StackGlobal().None().Tuple().Reduce().Stop();
        ModelScanResult result = Scan.Bytes(p.ToArray(), "model.pkl");
        Assert.True(result.Has("MA1008", Severity.Warning), result.Describe());
    }

    public static TheoryData<string, byte[]> CompressionMagics => new()
    {
        { "gzip", new byte[] { 0x1f, 0x8b, 0x08, 0x00 } },
        { "zlib", new byte[] { 0x78, 0x9c } },
        { "bz2", "BZh9"u8.ToArray() },
        { "xz", new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 } },
        { "zstd", new byte[] { 0x28, 0xb5, 0x2f, 0xfd } },
        { "lz4", new byte[] { 0x04, 0x22, 0x4d, 0x18 } },
        { "zip", "PK\x03\x04"u8.ToArray() },
    };

    private static byte[] Junk(byte[] magic, int length) =>
        magic.Concat(Enumerable.Range(0, length).Select(i => (byte)(i * 37 + 11))).ToArray();

    [Theory]
    [MemberData(nameof(CompressionMagics))]
    public void Bytes_that_start_with_a_compression_magic_but_do_not_inflate_are_data(string kind, byte[] magic)
    {
        foreach (int length in new[] { 40, 70_000 })
        {
            var p = new PickleBuilder().Proto(4).EmptyDict().Str("blob").Bytes(Junk(magic, length)).SetItem().Stop();
            ModelScanResult result = Scan.Bytes(p.ToArray(), "model.pkl");
            Assert.True(ScanOutcome.Clean == result.Outcome, $"{kind}, {length} bytes: {result.Describe()}");
        }
    }

    [Theory]
    [MemberData(nameof(CompressionMagics))]
    public void The_same_junk_passed_to_pickle_loads_is_not_clean(string kind, byte[] magic)
    {
        var p = new PickleBuilder().Proto(4).Str("pickle").Str("loads").StackGlobal()
            .Mark().Bytes(Junk(magic, 40)).Tuple().Reduce().Stop();
        ModelScanResult result = Scan.Bytes(p.ToArray(), "model.pkl");
        Assert.True(result.Has("MA1003", Severity.Critical), $"{kind}: {result.Describe()}");
    }
}
