using static ModelAudit.Engine.Tests.FlatBufferWriter;

namespace ModelAudit.Engine.Tests;

/// <summary>TFLite models hand-encoded with the field ids of the official schema.fbs.</summary>
public sealed class TFLiteTests
{
    // schema.fbs BuiltinOperator: ADD = 0, CUSTOM = 32.
    private static Table Builtin(int code) => new((0, U8((byte)code)), (2, I32(1)), (3, I32(code)));

    private static Table Custom(string name) => new((0, U8(32)), (1, new Str(name)), (2, I32(1)), (3, I32(32)));

    private static Table Tensor(string name, uint buffer) => new((0, new Ints(1, 4)), (1, U8(0)), (2, U32(buffer)), (3, new Str(name)));

    /// <summary>A converter-shaped model: one subgraph adding two tensors, buffer 0 empty (the convention),
    /// a constant in buffer 1, and the min_runtime_version metadata in buffer 2.</summary>
    private static byte[] Model(Table[]? codes = null, Table[]? buffers = null, string description = "MLIR Converted.")
    {
        codes ??= new[] { Builtin(0) };
        buffers ??= new[]
        {
            new Table(),
            new Table((0, new Bytes(new byte[16]))),
            new Table((0, new Bytes("1.5.0\0\0\0\0\0\0\0\0\0\0\0"u8.ToArray()))),
        };
        var subgraph = new Table(
            (0, new Tables(Tensor("x", 0), Tensor("w", 1), Tensor("y", 0))),
            (1, new Ints(0)),
            (2, new Ints(2)),
            (3, new Tables(new Table((0, U32(0)), (1, new Ints(0, 1)), (2, new Ints(2))))),
            (4, new Str("main")));
        var model = new Table(
            (0, U32(3)),
            (1, new Tables(codes)),
            (2, new Tables(subgraph)),
            (3, new Str(description)),
            (4, new Tables(buffers)),
            (6, new Tables(new Table((0, new Str("min_runtime_version")), (1, U32(2))))));
        return Build(model, "TFL3");
    }

    [Fact]
    public void A_converter_shaped_model_is_clean()
    {
        ModelScanResult result = Scan.Bytes(Model(), "model.tflite");
        Assert.Equal("TFLite", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Theory]
    [InlineData(0x80)]
    [InlineData(0xFF)]
    public void A_negative_deprecated_builtin_code_is_read_as_the_int8_it_is(int deprecated)
    {
        // deprecated_builtin_code is an int8; the runtime takes max(builtin_code, deprecated_builtin_code), so a
        // negative one next to ADD is ADD. (A checked cast of the byte once threw OverflowException here.)
        var code = new Table((0, U8((byte)deprecated)), (2, I32(1)), (3, I32(0)));
        ModelScanResult result = Scan.Bytes(Model(new[] { code }), "model.tflite");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
    }

    [Fact]
    public void A_custom_operator_is_a_warning_naming_it()
    {
        ModelScanResult result = Scan.Bytes(Model(new[] { Custom("MyVendorOp") }), "model.tflite");
        Assert.True(result.Has("MA3080", Severity.Warning), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA3080" && f.Message.Contains("MyVendorOp"));
    }

    [Fact]
    public void An_ordinary_flex_op_is_named_at_info()
    {
        ModelScanResult result = Scan.Bytes(Model(new[] { Builtin(0), Custom("FlexAddV2") }), "model.tflite");
        Assert.True(result.Has("MA3081", Severity.Info), result.Describe());
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Theory]
    [InlineData("FlexWriteFile")]
    [InlineData("FlexReadFile")]
    [InlineData("FlexPyFunc")]
    public void A_flex_op_that_reaches_the_host_is_critical(string op)
    {
        ModelScanResult result = Scan.Bytes(Model(new[] { Custom(op) }), "model.tflite");
        Assert.True(result.Has("MA3082", Severity.Critical), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA3082" && f.Message.Contains(op));
    }

    [Fact]
    public void A_buffer_whose_offset_and_size_pass_the_end_of_file_is_a_warning()
    {
        Table[] buffers = { new(), new((1, U64(64)), (2, U64(1UL << 40))), new((0, new Bytes("1.5.0"u8.ToArray()))) };
        ModelScanResult result = Scan.Bytes(Model(buffers: buffers), "model.tflite");
        Assert.True(result.Has("MA6171", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Metadata_naming_a_missing_buffer_is_a_warning()
    {
        Table[] buffers = { new(), new((0, new Bytes(new byte[16]))) };
        byte[] model = Model(buffers: buffers);
        ModelScanResult result = Scan.Bytes(model, "model.tflite");
        Assert.True(result.Has("MA6171", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_root_offset_outside_the_file_is_a_parse_error()
    {
        byte[] model = Model();
        model[0] = 0xF0;
        model[1] = 0xFF;
        ModelScanResult result = Scan.Bytes(model, "model.tflite");
        Assert.True(result.Has("MA9001"), result.Describe());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    [Fact]
    public void Every_truncation_ends_in_findings_never_clean_or_a_crash()
    {
        byte[] model = Model();
        for (int cut = 8; cut < model.Length; cut += 7)
        {
            ModelScanResult result = Scan.Bytes(model[..cut], "model.tflite");
            Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
            Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA9010");
        }
    }

    [Fact]
    public void The_description_goes_to_the_analyzers()
    {
        ModelScanResult result = Scan.Bytes(Model(description: "key AKIADN73U55XTPLPFT7V"), "model.tflite");
        Assert.True(result.Has("MA4001"), result.Describe());
    }
}
