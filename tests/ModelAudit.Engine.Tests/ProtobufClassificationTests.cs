using static ModelAudit.Engine.Tests.TensorFlowBuilder;

namespace ModelAudit.Engine.Tests;

/// <summary>Protobuf model formats told apart by field structure; the name only breaks ties.</summary>
public sealed class ProtobufClassificationTests
{
    [Theory]
    [InlineData("model.pb")]
    [InlineData("graph.bin")]
    public void A_meta_graph_is_detected_as_such_under_other_names(string name)
    {
        byte[] meta = MetaGraph(Tf1SaverGraph(), Tf1Saver).ToArray();
        ModelScanResult result = Scan.Bytes(meta, name);
        Assert.Equal("TensorFlowMetaGraph", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void A_frozen_graph_named_like_onnx_is_still_a_graph_def()
    {
        ModelScanResult result = Scan.Bytes(FrozenGraph(), "model.onnx");
        Assert.Equal("TensorFlowGraphDef", result.Format);
    }

    [Fact]
    public void An_onnx_model_named_saved_model_pb_is_still_onnx()
    {
        ModelScanResult result = Scan.Bytes(OnnxBuilder.Benign(), "saved_model.pb");
        Assert.Equal("Onnx", result.Format);
    }

    // saved_model_schema_version = 1, then field 2 holding a message whose field 1 is an empty message: a SavedModel
    // (meta_graphs { meta_info_def {} }) and a Core ML model (description { input {} }) both read it so.
    private static readonly byte[] s_ambiguous = { 0x08, 0x01, 0x12, 0x02, 0x0A, 0x00 };

    [Fact]
    public void Bytes_that_fit_two_formats_are_inconclusive_naming_both()
    {
        ModelScanResult result = Scan.Bytes(s_ambiguous, "blob.bin");
        Assert.Equal("Protobuf", result.Format);
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA6110");
        Assert.Contains("TensorFlowSavedModel", finding.Evidence);
        Assert.Contains("CoreML", finding.Evidence);
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    [Theory]
    [InlineData("saved_model.pb", "TensorFlowSavedModel")]
    [InlineData("model.mlmodel", "CoreML")]
    public void The_name_breaks_a_tie_between_formats_the_bytes_fit(string name, string format)
    {
        ModelScanResult result = Scan.Bytes(s_ambiguous, name);
        Assert.Equal(format, result.Format);
    }

    [Fact]
    public void A_pb_that_fits_no_model_format_is_not_clean()
    {
        byte[] random = new ProtoBuilder().Varint(7, 1).Varint(9, 2).String(11, "x").Varint(13, 4).ToArray();
        ModelScanResult result = Scan.Bytes(random, "model.pb");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9004"), result.Describe());
    }
}
