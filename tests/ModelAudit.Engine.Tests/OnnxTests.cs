using static ModelAudit.Engine.Tests.OnnxBuilder;

namespace ModelAudit.Engine.Tests;

/// <summary>ONNX: graphs, subgraphs, functions, custom domains, Python ops and external data, on hand-encoded models.</summary>
public sealed class OnnxTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ma-onnx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, byte[] data)
    {
        string path = Path.Combine(_folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data);
        return path;
    }

    [Fact]
    public void An_exported_cnn_is_clean_and_detected_as_onnx()
    {
        ModelScanResult result = Scan.Bytes(Benign(), "model.onnx");
        Assert.Equal("Onnx", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Onnx_is_detected_by_structure_whatever_its_name()
    {
        ModelScanResult result = Scan.Bytes(Benign(), "weights.bin");
        Assert.Equal("Onnx", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void Com_microsoft_contrib_ops_are_standard()
    {
        byte[] model = Model(Graph("g", new[] { Node("FusedMatMul", "mm", new[] { "x", "x" }, new[] { "y" }, "com.microsoft") }),
            null, ("", 17), ("com.microsoft", 1));
        ModelScanResult result = Scan.Bytes(model, "model.onnx");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void A_custom_domain_op_is_a_warning_naming_op_and_domain()
    {
        byte[] model = Model(Graph("g", new[] { Node("Inverse", "inv", new[] { "x" }, new[] { "y" }, "ai.onnx.contrib") }),
            null, ("", 17), ("ai.onnx.contrib", 1));
        ModelScanResult result = Scan.Bytes(model, "model.onnx");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA3010");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal("ai.onnx.contrib::Inverse", finding.Evidence);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void A_custom_op_hidden_in_a_nested_loop_body_inside_an_if_branch_is_found()
    {
        ProtoBuilder inner = Graph("loop_body", new[] { Node("Backdoor", "bd", new[] { "x" }, new[] { "y" }, "evil.ops") });
        ProtoBuilder loop = Node("Loop", "loop", new[] { "n", "c" }, new[] { "y" }, attributes: n => GraphAttribute(n, "body", inner));
        ProtoBuilder then = Graph("then", new[] { loop });
        ProtoBuilder iff = Node("If", "if", new[] { "c" }, new[] { "y" }, attributes: n =>
        {
            GraphAttribute(n, "then_branch", then);
            GraphAttribute(n, "else_branch", Graph("else", new[] { Node("Identity", "id", new[] { "x" }, new[] { "y" }) }));
        });
        ModelScanResult result = Scan.Bytes(Model(Graph("g", new[] { iff })), "model.onnx");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA3010");
        Assert.Contains("then_branch", finding.Message);
        Assert.Contains("body", finding.Message);
    }

    [Fact]
    public void A_custom_op_inside_a_model_local_function_is_found_but_a_call_to_that_function_is_not_custom()
    {
        ProtoBuilder function = new ProtoBuilder().String(1, "MyBlock").String(4, "x").String(5, "y")
            .Message(7, Node("Gelu", "g", new[] { "x" }, new[] { "y" }, "evil.native"))
            .Message(9, o => o.String(1, "").Varint(2, 17)).String(10, "pkg.local");
        byte[] model = Model(Graph("g", new[] { Node("MyBlock", "call", new[] { "x" }, new[] { "y" }, "pkg.local") }),
            m => m.Message(25, function), ("", 17), ("pkg.local", 1));
        ModelScanResult result = Scan.Bytes(model, "model.onnx");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA3010");
        Assert.Equal("evil.native::Gelu", finding.Evidence);
        Assert.Contains("function 'pkg.local.MyBlock'", finding.Message);
    }

    [Fact]
    public void A_python_op_is_critical_and_names_the_target()
    {
        ProtoBuilder node = Node("PyOp", "py", new[] { "x" }, new[] { "y" }, "com.microsoft", n =>
        {
            StringAttribute(n, "module", "os");
            StringAttribute(n, "compute", "system");
        });
        ModelScanResult result = Scan.Bytes(Model(Graph("g", new[] { node })), "model.onnx");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1101");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Contains("module=os", finding.Message);
        Assert.Contains("compute=system", finding.Message);
    }

    [Theory]
    [InlineData("../../etc/passwd", "CVE-2022-25882")]
    [InlineData("/etc/passwd", "CVE-2022-25882")]
    [InlineData("C:\\Windows\\win.ini", "CVE-2022-25882")]
    [InlineData("weights/../../../home/user/.ssh/id_rsa", "CVE-2024-27318")]
    [InlineData("a\\..\\..\\secret", "CVE-2024-27318")]
    public void External_data_outside_the_model_folder_is_critical_with_its_cve(string location, string cve)
    {
        byte[] model = Model(Graph("g", new[] { Node("Relu", "r", new[] { "w" }, new[] { "y" }) },
            new[] { ExternalTensor("w", location, 0, 16, 4) }));
        ModelScanResult result = Scan.File(Write("model.onnx", model));
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA6100");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Contains(cve, finding.Cve);
        Assert.Contains("CVE-2025-51480", finding.Cve);
    }

    [Fact]
    public void External_data_beside_the_model_that_fits_is_clean()
    {
        Write("model.onnx.data", new byte[64]);
        Write("sub/extra.bin", new byte[16]);
        byte[] model = Model(Graph("g", new[] { Node("Add", "a", new[] { "w", "v" }, new[] { "y" }) },
            new[] { ExternalTensor("w", "model.onnx.data", 0, 64, 4, 4), ExternalTensor("v", "sub/../sub/extra.bin", 0, null, 4) }));
        ModelScanResult result = Scan.File(Write("model.onnx", model));
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Missing_external_data_is_a_warning()
    {
        byte[] model = Model(Graph("g", new[] { Node("Relu", "r", new[] { "w" }, new[] { "y" }) },
            new[] { ExternalTensor("w", "weights.bin", 0, 16, 4) }));
        ModelScanResult result = Scan.File(Write("model.onnx", model));
        Assert.True(result.Has("MA6101", Severity.Warning), result.Describe());
    }

    [Theory]
    [InlineData(0L, 128L)]
    [InlineData(60L, 8L)]
    [InlineData(100L, null)]
    public void External_data_past_the_end_of_its_file_is_a_warning(long offset, long? length)
    {
        Write("model.onnx.data", new byte[64]);
        byte[] model = Model(Graph("g", new[] { Node("Relu", "r", new[] { "w" }, new[] { "y" }) },
            new[] { ExternalTensor("w", "model.onnx.data", offset, length, 2) }));
        ModelScanResult result = Scan.File(Write("model.onnx", model));
        Assert.True(result.Has("MA6102", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Shape_times_type_size_is_checked_when_no_length_is_given()
    {
        Write("w.bin", new byte[64]);
        byte[] model = Model(Graph("g", new[] { Node("Relu", "r", new[] { "w" }, new[] { "y" }) },
            new[] { ExternalTensor("w", "w.bin", 0, null, 1000) }));
        ModelScanResult result = Scan.File(Write("model.onnx", model));
        Assert.True(result.Has("MA6102", Severity.Warning), result.Describe());
    }

    [Fact]
    public void External_data_of_a_model_not_on_disk_is_info_and_still_clean()
    {
        byte[] model = Model(Graph("g", new[] { Node("Relu", "r", new[] { "w" }, new[] { "y" }) },
            new[] { ExternalTensor("w", "model.onnx.data", 0, 16, 4) }));
        ModelScanResult result = Scan.Bytes(model, "model.onnx");
        Assert.True(result.Has("MA6103", Severity.Info), result.Describe());
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void Metadata_props_and_doc_strings_reach_the_analyzers()
    {
        byte[] model = Model(Graph("g", new[] { Node("Relu", "r", new[] { "x" }, new[] { "y" }) }),
            m => m.Entry(14, "deploy_key", "AKIADN73U55XTPLPFT7V"));
        ModelScanResult result = Scan.Bytes(model, "model.onnx");
        ModelFinding secret = Assert.Single(result.Findings, f => f.RuleId == "MA4001");
        Assert.Equal("Secrets", secret.Scanner);
    }

    [Fact]
    public void A_model_truncated_inside_an_initializer_is_a_parse_error_not_clean()
    {
        byte[] model = Model(Graph("g", new[] { Node("Relu", "r", new[] { "w" }, new[] { "y" }) }, new[] { RawTensor("w", 64, 64) }));
        ModelScanResult result = Scan.Bytes(model[..(model.Length / 2)], "model.onnx");
        Assert.Equal("Onnx", result.Format);
        Assert.True(result.Has("MA9001"), result.Describe());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    [Fact]
    public void A_small_model_cut_short_is_not_clean()
    {
        byte[] model = Benign();
        ModelScanResult result = Scan.Bytes(model[..(model.Length - 20)], "model.onnx");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    [Fact]
    public void Subgraphs_nested_past_the_protobuf_limit_are_a_limit_finding()
    {
        ProtoBuilder graph = Graph("leaf", new[] { Node("Relu", "r", new[] { "x" }, new[] { "y" }) });
        for (int i = 0; i < 60; i++)
        {
            ProtoBuilder inner = graph;
            graph = Graph("g" + i, new[] { Node("If", "if" + i, new[] { "c" }, new[] { "y" }, attributes: n => GraphAttribute(n, "then_branch", inner)) });
        }

        ModelScanResult result = Scan.Bytes(Model(graph), "model.onnx");
        Assert.True(result.Has("MA9002"), result.Describe());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    [Fact]
    public void A_weights_file_is_unknown_content_until_a_model_beside_it_references_it()
    {
        byte[] weights = Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 + 7)).ToArray();
        string data = Write("weights/encoder.bin", weights);
        ModelScanResult alone = Scan.File(data);
        Assert.Equal(ScanOutcome.Inconclusive, alone.Outcome);
        Assert.True(alone.Has("MA9004"), alone.Describe());

        Write("model.onnx", Model(Graph("g", new[] { Node("MatMul", "mm", new[] { "x", "w" }, new[] { "y" }) },
            new[] { ExternalTensor("w", "weights/encoder.bin", 0, 4096, 32, 32) })));
        ModelScanResult attributed = Scan.File(data);
        Assert.Equal("OnnxExternalData", attributed.Format);
        Assert.Equal(ScanOutcome.Clean, attributed.Outcome);
        ModelFinding owner = Assert.Single(attributed.Findings);
        Assert.Equal(("MA6370", Severity.Info), (owner.RuleId, owner.Severity));
        Assert.EndsWith("model.onnx", owner.Evidence);
    }

    [Fact]
    public void A_folder_of_a_model_and_its_external_data_scans_clean()
    {
        Write("model.onnx.data", new byte[4096]);
        Write("model.onnx", Model(Graph("g", new[] { Node("MatMul", "mm", new[] { "x", "w" }, new[] { "y" }) },
            new[] { ExternalTensor("w", "model.onnx.data", 0, 4096, 32, 32) })));
        var engine = new Scanning.ScanEngine(new Scanning.ScanOptions());
        var results = Sources.LocalFileSource.Enumerate(_folder, new Scanning.ScanOptions(), _ => { })
            .Select(item => engine.Scan(item, CancellationToken.None)).ToArray();
        Assert.Equal(2, results.Length);
        Assert.All(results, r => Assert.Equal(ScanOutcome.Clean, r.Outcome));
        Assert.Equal(new[] { "Onnx", "OnnxExternalData" }, results.Select(r => r.Format).Order(StringComparer.Ordinal));
    }
}
