using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// R serialization (readRDS, load): files written by R 4.2 itself (tests/fixtures/generate_r.R) — benign models,
/// data frames and workspaces in every compression and encoding are Clean; promises, active bindings, functions
/// that run commands, call objects and startup hooks are found — and hand-built XDR streams for what R does not
/// write (a promise as the file's object, CVE-2024-27322's payload) and for malformed input.
/// </summary>
public sealed class RSerializedTests
{
    private static ModelScanResult Fixture(string path) => Scan.File(Scan.Fixture(Path.Combine("r", path)));

    public static TheoryData<string> BenignFiles() => new()
    {
        "benign/data_frame.rds", "benign/lm_model.rds", "benign/glm_model.rds", "benign/factor_xz.rds", "benign/list_bzip2.rds",
        "benign/plain_v2.rds", "benign/workspace.RData", "benign/compiled_function.rds", "benign/ascii.rds",
        "benign/ascii_empty_names.rds", "benign/refclass_model.rds",
        "benign/dendrogram_chain.rds",
    };

    [Theory]
    [MemberData(nameof(BenignFiles))]
    public void Objects_and_workspaces_R_writes_are_clean(string file)
    {
        ModelScanResult result = Fixture(file);
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.DoesNotContain(result.Findings, f => f.Severity >= Severity.Warning);
        Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA6001");
    }

    [Fact]
    public void A_glm_family_keeps_an_unforced_default_argument_which_is_info_only()
    {
        ModelScanResult result = Fixture("benign/glm_model.rds");
        ModelFinding promise = Assert.Single(result.Findings, f => f.RuleId == "MA1195");
        Assert.Equal(Severity.Info, promise.Severity);
        Assert.Contains("'link'", promise.Message);
    }

    [Theory]
    [InlineData("malicious/promise_env.rds", "MA1190", "'model'")]
    [InlineData("malicious/promise_env.rds", "MA1192", "A promise's expression in 'model' calls system")]
    [InlineData("malicious/active_binding.rds", "MA1191", "'weights'")]
    [InlineData("malicious/predict_system.rds", "MA1192", "A serialized function calls system")]
    [InlineData("malicious/compiled_system.rds", "MA1192", "calls system")]
    [InlineData("malicious/first_hook.RData", "MA1192", "in '.First' calls system")]
    [InlineData("malicious/first_hook.RData", "MA1194", ".First")]
    [InlineData("malicious/call_object.rds", "MA1193", "A call object kept as data calls system")]
    [InlineData("malicious/promise_file_write.rds", "MA1190", "naming writeLines")]
    [InlineData("malicious/predict_parse.rds", "MA1197", "A serialized function calls parse")]
    [InlineData("malicious/predict_parse.rds", "MA1197", "calls str2lang")]
    public void What_loading_or_using_an_R_object_runs_is_reported(string file, string rule, string text)
    {
        ModelScanResult result = Fixture(file);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
        Assert.Contains(result.Findings, f => f.RuleId == rule && f.Message.Contains(text, StringComparison.Ordinal));
    }

    [Fact]
    public void The_promise_payload_of_CVE_2024_27322_is_critical_with_its_cve()
    {
        // The whole file is a promise: readRDS returns it, and printing or using the result runs system("id").
        byte[] stream = new RStream().Header().Flags(5).Flags(252).Call("system", s => s.Strings("id")).ToArray();
        ModelScanResult result = Scan.Bytes(stream, "model.rds");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1190");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Contains("CVE-2024-27322", finding.Cve);
        Assert.Contains("The file's object is an unevaluated promise", finding.Message);
        Assert.Equal("RSerialized", result.Format);
    }

    [Fact]
    public void A_top_level_promise_that_hides_its_call_behind_eval_is_critical()
    {
        // eval(parse(text = "...")): no command is named, the dynamic evaluation is.
        byte[] stream = new RStream().Header().Flags(5).Flags(252)
            .Call("eval", s => s.Flags(2).Call("parse", a => a.Strings("system('id')")).Flags(254)).ToArray();
        ModelScanResult result = Scan.Bytes(stream, "model.rds");
        Assert.True(result.Has("MA1190", Severity.Critical), result.Describe());
    }

    [Fact]
    public void A_function_that_calls_a_command_by_name_through_do_call_is_critical()
    {
        byte[] stream = new RStream().Header()
            .Closure(body => body.Call("do.call", a => a.Strings("system").Flags(2).Strings("id"))).ToArray();
        ModelScanResult result = Scan.Bytes(stream, "model.rds");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1192" && f.Evidence == "system");
    }

    [Theory]
    [InlineData("exec_wait")]
    [InlineData("exec_background")]
    [InlineData("py_run_string")]
    [InlineData("py_run_file")]
    public void A_function_that_runs_commands_or_python_through_a_package_is_critical(string function)
    {
        // sys::exec_wait("sh", ...) runs a command; reticulate::py_run_string runs Python, which runs anything.
        byte[] stream = new RStream().Header().Closure(body => body.Call(function, a => a.Strings("id"))).ToArray();
        ModelScanResult result = Scan.Bytes(stream, "model.rds");
        Assert.True(result.Has("MA1192", Severity.Critical), result.Describe());
    }

    [Fact]
    public void A_binary_workspace_is_read_in_its_own_byte_order()
    {
        // save(..., ascii = FALSE, version = 3) on a little-endian machine with the native "B" encoding.
        byte[] stream = new RStream(littleEndian: true).Workspace("RDB3").Header('B')
            .Flags(2 | (1 << 10)).Symbol(".First").Closure(body => body.Call("system", a => a.Strings("id"))).Flags(254).ToArray();
        ModelScanResult result = Scan.Bytes(stream, ".RData");
        Assert.True(result.Has("MA1194"), result.Describe());
        Assert.True(result.Has("MA1192", Severity.Critical), result.Describe());
    }

    [Fact]
    public void A_namespace_outside_base_R_is_named_as_loaded()
    {
        // A closure whose environment is namespace:evilpkg: unserialize loads the package.
        byte[] stream = new RStream().Header().Flags(3 | (1 << 10)).Namespace("evilpkg", "1.0").Flags(254).Flags(254).ToArray();
        ModelScanResult result = Scan.Bytes(stream, "model.rds");
        Assert.Contains(result.Findings, f => f.RuleId == "MA3191" && f.Evidence == "evilpkg");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void A_reference_class_field_is_an_active_binding_of_methods_own_function_and_info_only()
    {
        ModelScanResult result = Fixture("benign/refclass_model.rds");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1196" && f.Severity == Severity.Info && f.Evidence == "w");
        Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA1191");
    }

    [Fact]
    public void A_base_ALTREP_class_name_registered_by_another_package_is_named()
    {
        // ALTREP info (compact_intseq, evilpkg, INTSXP): R looks the class up by name and package, and loads evilpkg
        // to find it, so the base class name alone does not make it base R's.
        byte[] stream = new RStream().Header()
            .Flags(238).Flags(2).Symbol("compact_intseq").Flags(2).Symbol("evilpkg").Flags(2).Flags(13).Int(1).Int(13).Flags(254)
            .Flags(254).Flags(254).ToArray();
        ModelScanResult result = Scan.Bytes(stream, "model.rds");
        Assert.Contains(result.Findings, f => f.RuleId == "MA3192" && f.Evidence == "evilpkg::compact_intseq");
    }

    [Fact]
    public void A_long_pairlist_is_walked_without_recursion_and_a_deep_list_is_a_limit_not_a_crash()
    {
        var flat = new RStream().Header();
        for (int i = 0; i < 200_000; i++)
        {
            flat.Flags(2).Flags(254);
        }

        ModelScanResult wide = Scan.Bytes(flat.Flags(254).ToArray(), "wide.rds");
        Assert.True(wide.Outcome == ScanOutcome.Clean, wide.Describe());

        var deep = new RStream().Header();
        for (int i = 0; i < 50_000; i++)
        {
            deep.Flags(19).Int(1);
        }

        ModelScanResult result = Scan.Bytes(deep.Flags(254).ToArray(), "deep.rds");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9002"), result.Describe());
    }

    [Theory]
    [InlineData("truncated", "MA9001")]
    [InlineData("unknown type", "MA9001")]
    [InlineData("bad reference", "MA9001")]
    [InlineData("negative length", "MA9001")]
    public void Malformed_streams_are_inconclusive(string shape, string rule)
    {
        RStream stream = new RStream().Header();
        byte[] bytes = shape switch
        {
            "truncated" => stream.Flags(16).Int(3).Flags(9).Int(2).ToArray(),
            "unknown type" => stream.Flags(99).ToArray(),
            "bad reference" => stream.Flags(255 | (7 << 8)).ToArray(),
            _ => stream.Flags(14).Int(-5).ToArray(),
        };
        ModelScanResult result = Scan.Bytes(bytes, "model.rds");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has(rule), result.Describe());
    }

    [Fact]
    public void Unknown_content_named_like_an_R_object_is_not_clean()
    {
        // Bytes no format reads (text would be Text: R refuses it, and it runs nothing).
        ModelScanResult result = Scan.Bytes(new byte[] { 0x01, 0xFE, 0x00, 0x7F, 0x13, 0x88, 0x00, 0x00, 0xC3, 0x28 }, "model.rds");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    // An XDR (or native little-endian) serialization stream, item by item.
    private sealed class RStream(bool littleEndian = false)
    {
        private readonly MemoryStream _bytes = new();

        public RStream Workspace(string magic)
        {
            _bytes.Write(Encoding.ASCII.GetBytes(magic + "\n"));
            return this;
        }

        public RStream Header(char encoding = 'X')
        {
            _bytes.Write(new[] { (byte)encoding, (byte)'\n' });
            Int(3).Int(0x040202).Int(0x030500).Int(5);
            _bytes.Write("UTF-8"u8);
            return this;
        }

        public RStream Int(int value)
        {
            Span<byte> b = stackalloc byte[4];
            if (littleEndian)
            {
                BinaryPrimitives.WriteInt32LittleEndian(b, value);
            }
            else
            {
                BinaryPrimitives.WriteInt32BigEndian(b, value);
            }

            _bytes.Write(b);
            return this;
        }

        public RStream Flags(int flags) => Int(flags);

        public RStream Char(string text)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(text);
            Flags(9 | (64 << 12)).Int(utf8.Length);
            _bytes.Write(utf8);
            return this;
        }

        public RStream Symbol(string name) => Flags(1).Char(name);

        public RStream Strings(params string[] values)
        {
            Flags(16).Int(values.Length);
            foreach (string v in values)
            {
                Char(v);
            }

            return this;
        }

        // LANGSXP: CAR the function symbol, CDR a pairlist of the arguments the callback writes, then NIL.
        public RStream Call(string function, Action<RStream> arguments)
        {
            Flags(6).Symbol(function).Flags(2);
            arguments(this);
            return Flags(254);
        }

        // CLOSXP with the global environment, no formals, and the body the callback writes.
        public RStream Closure(Action<RStream> body)
        {
            Flags(3 | (1 << 10)).Flags(253).Flags(254);
            body(this);
            return this;
        }

        public RStream Namespace(string name, string version)
        {
            Flags(249).Int(0).Int(2).Char(name).Char(version);
            return this;
        }

        public byte[] ToArray() => _bytes.ToArray();
    }
}
