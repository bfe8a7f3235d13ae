using System.Buffers.Binary;

namespace ModelAudit.Engine.Tests;

/// <summary>PaddlePaddle inference models: ProgramDesc ops (framework.proto) and save_combine parameter files.</summary>
public sealed class PaddleTests
{
    /// <summary>OpDesc: inputs = 1 (Var: parameter = 1, arguments = 2), outputs = 2, type = 3, attrs = 4 (Attr: name = 1,
    /// type = 2, s = 5).</summary>
    internal static ProtoBuilder Op(string type, string input, string output, params (string Name, string Value)[] strings)
    {
        var op = new ProtoBuilder().Message(1, v => v.String(1, "X").String(2, input)).Message(2, v => v.String(1, "Out").String(2, output))
            .String(3, type);
        foreach (var (name, value) in strings)
        {
            op.Message(4, a => a.String(1, name).Varint(2, 2).String(5, value));
        }

        return op;
    }

    /// <summary>ProgramDesc: blocks = 1 (BlockDesc: idx = 1, parent_idx = 2, vars = 3, ops = 4), version = 4.</summary>
    internal static byte[] Program(params ProtoBuilder[] ops)
    {
        var block = new ProtoBuilder().Varint(1, 0).Varint(2, -1)
            .Message(3, v => v.String(1, "x").Message(2, t => t.Varint(1, 7)).Varint(3, 0))
            .Message(3, v => v.String(1, "fc_0.w_0").Message(2, t => t.Varint(1, 7)).Varint(3, 1));
        foreach (ProtoBuilder op in new[] { Op("feed", "feed", "x") }.Concat(ops).Append(Op("fetch", "y", "fetch")))
        {
            block.Message(4, op);
        }

        return new ProtoBuilder().Message(1, block).Message(4, v => v.Varint(1, 0)).ToArray();
    }

    /// <summary>One tensor as save_combine writes it.</summary>
    internal static byte[] Tensor(int dtype, long[] dims, int? dataBytes = null)
    {
        var desc = new ProtoBuilder().Varint(1, dtype);
        foreach (long d in dims)
        {
            desc.Varint(2, d);
        }

        byte[] descBytes = desc.ToArray();
        long count = dims.Aggregate(1L, (a, b) => a * b);
        byte[] data = new byte[dataBytes ?? (int)(count * 4)];
        byte[] result = new byte[4 + 8 + 4 + 4 + descBytes.Length + data.Length];
        BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(16), descBytes.Length);
        descBytes.CopyTo(result, 20);
        return result;
    }

    [Fact]
    public void An_inference_program_is_clean()
    {
        ModelScanResult result = Scan.Bytes(Program(Op("matmul_v2", "x", "h"), Op("relu", "h", "y")), "inference.pdmodel");
        Assert.Equal("PaddleProgram", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Py_func_is_critical()
    {
        ModelScanResult result = Scan.Bytes(Program(Op("py_func", "x", "y")), "inference.pdmodel");
        Assert.True(result.Has("MA1102", Severity.Critical), result.Describe());
    }

    [Fact]
    public void A_save_op_is_a_warning_naming_its_file()
    {
        ModelScanResult result = Scan.Bytes(Program(Op("save", "x", "y", ("file_path", "/etc/cron.d/job"))), "inference.pdmodel");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA3020");
        Assert.Contains("/etc/cron.d/job", finding.Message);
    }

    [Fact]
    public void Combined_parameters_are_clean()
    {
        byte[] file = Tensor(5, new long[] { 4, 8 }).Concat(Tensor(5, new long[] { 8 })).ToArray();
        ModelScanResult result = Scan.Bytes(file, "inference.pdiparams");
        Assert.Equal("PaddleParams", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void A_tensor_past_the_end_of_the_parameters_is_a_warning()
    {
        byte[] file = Tensor(5, new long[] { 4, 8 }).Concat(Tensor(5, new long[] { 1000 }, dataBytes: 16)).ToArray();
        ModelScanResult result = Scan.Bytes(file, "inference.pdiparams");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA6125");
        Assert.Contains("#1", finding.Message);
    }

    [Fact]
    public void Absurd_dimensions_are_a_finding_not_an_allocation()
    {
        ModelScanResult result = Scan.Bytes(Tensor(5, new long[] { 1L << 40, 1L << 40 }, dataBytes: 8), "inference.pdiparams");
        Assert.True(result.Has("MA6125", Severity.Warning), result.Describe());
    }
}
