using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Core ML: .mlmodel specifications (Model.proto, NeuralNetwork.proto) and .mlpackage parts.</summary>
public sealed class CoreMLTests
{
    /// <summary>FeatureDescription: name = 1, type = 3 (FeatureType.multiArrayType = 5).</summary>
    private static ProtoBuilder Feature(string name) => new ProtoBuilder().String(1, name).Message(3, t => t.Message(5, a => a.Packed(1, 1, 3).Varint(2, 65568)));

    /// <summary>Model: specificationVersion = 1, description = 2 (input = 1, output = 10, metadata = 100), then the type.</summary>
    internal static byte[] Model(Action<ProtoBuilder> type, int version = 4)
    {
        var m = new ProtoBuilder().Varint(1, version).Message(2, d => d.Message(1, Feature("input")).Message(10, Feature("output"))
            .Message(100, md => md.String(1, "A small classifier").String(3, "ModelAudit tests").String(4, "MIT")
                .Entry(100, "com.github.apple.coremltools.version", "7.1")));
        type(m);
        return m.ToArray();
    }

    /// <summary>NeuralNetwork.layers = 1; NeuralNetworkLayer: name = 1, input = 2, output = 3, then the layer params.</summary>
    internal static ProtoBuilder Layer(string name, int kind, Action<ProtoBuilder> parameters) =>
        new ProtoBuilder().String(1, name).String(2, "input").String(3, "output").Message(kind, parameters);

    // innerProduct = 140: inputChannels = 1, outputChannels = 2, weights = 20 (WeightParams.floatValue = 1, packed).
    internal static ProtoBuilder Dense(string name) =>
        Layer(name, 140, p => p.Varint(1, 3).Varint(2, 3).Message(20, w => w.Bytes(1, new byte[36])));

    internal static void Network(ProtoBuilder model, params ProtoBuilder[] layers) =>
        model.Message(500, nn =>
        {
            foreach (ProtoBuilder l in layers)
            {
                nn.Message(1, l);
            }
        });

    [Fact]
    public void A_neural_network_is_clean()
    {
        ModelScanResult result = Scan.Bytes(Model(m => Network(m, Dense("dense"), Layer("act", 130, p => p.Message(10, _ => { })))), "model.mlmodel");
        Assert.Equal("CoreML", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_custom_layer_inside_a_loop_body_is_a_warning_naming_its_class()
    {
        ProtoBuilder custom = Layer("mystery", 500, p => p.String(10, "EvilLayer"));
        ProtoBuilder loop = Layer("loop", 615, p => p.Varint(1, 3).Message(4, body => body.Message(1, custom)));
        ModelScanResult result = Scan.Bytes(Model(m => Network(m, Dense("dense"), loop)), "model.mlmodel");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA3030");
        Assert.Equal("EvilLayer", finding.Evidence);
        Assert.Equal(Severity.Warning, finding.Severity);
    }

    [Fact]
    public void A_custom_model_in_a_pipeline_is_a_warning()
    {
        byte[] inner = new ProtoBuilder().Varint(1, 4).Message(555, c => c.String(10, "MyCustomModel")).ToArray();
        ModelScanResult result = Scan.Bytes(Model(m => m.Message(202, p => p.Bytes(1, inner))), "pipeline.mlmodel");
        Assert.Equal("MyCustomModel", Assert.Single(result.Findings, f => f.RuleId == "MA3030").Evidence);
    }

    [Theory]
    [InlineData("../../../Library/evil.mlmodelc")]
    [InlineData("/tmp/payload.mlmodelc")]
    public void A_linked_model_outside_the_package_is_critical(string path)
    {
        ModelScanResult result = Scan.Bytes(Model(m => m.Message(556, l => l.Message(1, f => f.Message(1, s => s.String(1, path))))), "linked.mlmodel");
        Assert.True(result.Has("MA6120", Severity.Critical), result.Describe());
    }

    [Fact]
    public void A_linked_model_inside_the_bundle_is_clean()
    {
        ModelScanResult result = Scan.Bytes(Model(m => m.Message(556, l => l.Message(1, f => f
            .Message(1, s => s.String(1, "Encoder.mlmodelc")).Message(2, s => s.String(1, "$BUNDLE_MAIN:$BUNDLE_IDENTIFIER(com.example)"))))), "linked.mlmodel");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void Metadata_reaches_the_analyzers()
    {
        byte[] model = new ProtoBuilder().Varint(1, 4).Message(2, d => d.Message(1, Feature("input"))
            .Message(100, md => md.String(1, "token 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"))).Message(500, _ => { }).ToArray();
        ModelScanResult result = Scan.Bytes(model, "model.mlmodel");
        Assert.True(result.Has("MA4001"), result.Describe());
    }

    internal static byte[] Weights(params int[] sizes)
    {
        var output = new MemoryStream();
        byte[] header = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)sizes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 2);
        output.Write(header);
        foreach (int size in sizes)
        {
            byte[] meta = new byte[64];
            BinaryPrimitives.WriteUInt32LittleEndian(meta, 0xDEADBEEF);
            BinaryPrimitives.WriteUInt32LittleEndian(meta.AsSpan(4), 1);
            BinaryPrimitives.WriteUInt64LittleEndian(meta.AsSpan(8), (ulong)size);
            BinaryPrimitives.WriteUInt64LittleEndian(meta.AsSpan(16), (ulong)(output.Length + 64));
            output.Write(meta);
            output.Write(new byte[(size + 63) / 64 * 64]);
        }

        return output.ToArray();
    }

    [Fact]
    public void An_ml_program_weight_file_is_clean()
    {
        ModelScanResult result = Scan.Bytes(Weights(96, 128, 10), "weight.bin");
        Assert.Equal("CoreMLWeights", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void A_weight_file_cut_short_is_a_warning()
    {
        byte[] weights = Weights(96, 4096);
        ModelScanResult result = Scan.Bytes(weights[..(weights.Length - 1000)], "weight.bin");
        Assert.True(result.Has("MA6121", Severity.Warning), result.Describe());
    }

    internal const string Manifest = "{\"fileFormatVersion\": \"1.0.0\", \"itemInfoEntries\": {" +
        "\"A1\": {\"author\": \"com.apple.CoreML\", \"description\": \"CoreML Model Specification\", \"name\": \"model.mlmodel\", \"path\": \"com.apple.CoreML/model.mlmodel\"}," +
        "\"B2\": {\"author\": \"com.apple.CoreML\", \"description\": \"CoreML Model Weights\", \"name\": \"weights\", \"path\": \"PATH\"}}," +
        "\"rootModelIdentifier\": \"A1\"}";

    [Fact]
    public void A_package_manifest_is_clean_and_one_that_escapes_is_critical()
    {
        ModelScanResult benign = Scan.Bytes(Encoding.UTF8.GetBytes(Manifest.Replace("PATH", "com.apple.CoreML/weights")), "Manifest.json");
        Assert.Equal(ScanOutcome.Clean, benign.Outcome);
        ModelScanResult escape = Scan.Bytes(Encoding.UTF8.GetBytes(Manifest.Replace("PATH", "../../../../etc")), "Manifest.json");
        Assert.True(escape.Has("MA6120", Severity.Critical), escape.Describe());
    }
}
