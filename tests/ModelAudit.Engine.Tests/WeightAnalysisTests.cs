using ModelAudit.Engine.Analyzers.Weights;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Tests;

/// <summary>Weight analysis on synthetic layers: planted neurons found, healthy layers of every size and init quiet,
/// NaN/Inf found in every decoded dtype and format, and the options that turn it on and off.</summary>
public sealed class WeightAnalysisTests
{
    private static readonly string[] s_weightRules = { "MA8001", "MA8002", "MA8003", "MA8004", "MA8005" };

    private static byte[] OneLayer(string name, float[] values, int neurons, int inputs, string dtype = "F32") =>
        WeightLayers.SafeTensors((name, dtype, new long[] { neurons, inputs }, Encode(dtype, values)));

    private static byte[] Encode(string dtype, float[] values) => dtype switch
    {
        "F32" => WeightLayers.F32(values),
        "F16" => WeightLayers.F16(values),
        "BF16" => WeightLayers.BF16(values),
        "F64" => WeightLayers.F64(values),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    private static void AssertQuiet(ModelScanResult result)
    {
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.DoesNotContain(result.Findings, f => s_weightRules.Contains(f.RuleId));
        Assert.True(result.AnalyzedTensorCount > 0, "the tensor was not analysed");
    }

    private static ModelFinding Only(ModelScanResult result, string ruleId)
    {
        ModelFinding[] found = result.Findings.Where(f => f.RuleId == ruleId).ToArray();
        Assert.True(found.Length == 1, $"{found.Length} {ruleId} findings: " + result.Describe());
        return found[0];
    }

    public static TheoryData<string, int, int> HealthyLayers() => new()
    {
        { "xavier", 10, 512 },
        { "xavier", 1000, 256 },
        { "kaiming", 64, 64 },
        { "kaiming", 512, 1024 },
        { "normal", 16, 8 },
        { "normal", 100, 768 },
        // An LLM-scale 4096 × 4096 projection, subsampled to 512 of its inputs (N(0, 0.02) as GPT-2 and LLaMA init).
        { "llm", 4096, 512 },
    };

    [Theory]
    [MemberData(nameof(HealthyLayers))]
    public void Healthy_layers_are_not_flagged(string init, int neurons, int inputs)
    {
        for (ulong seed = 1; seed <= 3; seed++)
        {
            float[] values = init switch
            {
                "xavier" => WeightLayers.Xavier(neurons, inputs, seed),
                "kaiming" => WeightLayers.Kaiming(neurons, inputs, seed),
                "llm" => WeightLayers.Normal(neurons, inputs, 0.02, seed),
                _ => WeightLayers.Normal(neurons, inputs, 1, seed),
            };
            AssertQuiet(Scan.Bytes(OneLayer("classifier.weight", values, neurons, inputs), "model.safetensors"));
        }
    }

    [Fact]
    public void Healthy_correlated_output_layer_is_not_flagged()
    {
        AssertQuiet(Scan.Bytes(OneLayer("lm_head.weight", WeightLayers.Correlated(200, 128, 7), 200, 128), "model.safetensors"));
    }

    [Theory]
    [InlineData(16, 512, 3f)]
    [InlineData(1000, 256, 2f)]
    [InlineData(4096, 512, 2f)]
    public void A_planted_neuron_with_large_weights_is_reported_with_its_numbers(int neurons, int inputs, float factor)
    {
        int planted = neurons / 3;
        float[] values = WeightLayers.Scale(WeightLayers.Xavier(neurons, inputs, 11), inputs, planted, factor);
        ModelScanResult result = Scan.Bytes(OneLayer("classifier.weight", values, neurons, inputs), "model.safetensors");
        ModelFinding finding = Only(result, "MA8002");
        Assert.Equal(Severity.Info, finding.Severity);
        Assert.Contains($"#{planted} ", finding.Message);
        Assert.Contains("median norm", finding.Message);
        Assert.Equal("classifier.weight", finding.Evidence);
        // Statistical leads are Info: they do not make the file Issues.
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void Fewer_neurons_than_a_median_needs_are_not_judged()
    {
        float[] values = WeightLayers.Scale(WeightLayers.Xavier(10, 512, 11), 512, 3, 3f);
        ModelScanResult result = Scan.Bytes(OneLayer("classifier.weight", values, 10, 512), "model.safetensors");
        Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA8002");
    }

    [Fact]
    public void A_neuron_unlike_the_others_is_reported()
    {
        float[] values = WeightLayers.Correlated(200, 128, 7);
        float[] stranger = WeightLayers.Normal(1, 128, 0.05 * Math.Sqrt(1.36), 99);
        stranger.CopyTo(values, 42 * 128);
        ModelScanResult result = Scan.Bytes(OneLayer("classifier.weight", values, 200, 128), "model.safetensors");
        ModelFinding finding = Only(result, "MA8003");
        Assert.Equal(Severity.Info, finding.Severity);
        Assert.Contains("#42 ", finding.Message);
        Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA8002");
    }

    [Fact]
    public void A_few_extreme_weights_in_one_neuron_are_reported()
    {
        float[] values = WeightLayers.Normal(256, 256, 0.02, 5);
        values[(77 * 256) + 3] = 1.5f;
        values[(77 * 256) + 200] = -1.2f;
        ModelScanResult result = Scan.Bytes(OneLayer("fc.weight", values, 256, 256), "model.safetensors");
        ModelFinding finding = Only(result, "MA8004");
        Assert.Equal(Severity.Info, finding.Severity);
        Assert.Contains("2 weights", finding.Message);
        Assert.Contains("#77", finding.Message);
    }

    [Fact]
    public void A_heavy_tail_spread_over_many_neurons_is_not_extreme()
    {
        float[] values = WeightLayers.Normal(256, 256, 0.02, 5);
        for (int n = 0; n < 256; n += 16)
        {
            values[(n * 256) + n] = 0.3f;
        }

        ModelScanResult result = Scan.Bytes(OneLayer("fc.weight", values, 256, 256), "model.safetensors");
        Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA8004");
    }

    [Fact]
    public void Layers_not_named_as_output_layers_are_not_judged_when_one_is()
    {
        float[] odd = WeightLayers.Scale(WeightLayers.Xavier(64, 64, 3), 64, 5, 4f);
        byte[] file = WeightLayers.SafeTensors(
            ("encoder.layer.0.attention.query.weight", "F32", new long[] { 64, 64 }, WeightLayers.F32(odd)),
            ("classifier.weight", "F32", new long[] { 64, 64 }, WeightLayers.F32(WeightLayers.Xavier(64, 64, 4))));
        AssertQuiet(Scan.Bytes(file, "model.safetensors"));
    }

    [Fact]
    public void Without_a_named_output_layer_the_last_matrix_is_judged()
    {
        float[] odd = WeightLayers.Scale(WeightLayers.Xavier(64, 64, 3), 64, 5, 4f);
        byte[] file = WeightLayers.SafeTensors(
            ("layers.0.weight", "F32", new long[] { 64, 64 }, WeightLayers.F32(WeightLayers.Xavier(64, 64, 4))),
            ("layers.1.weight", "F32", new long[] { 64, 64 }, WeightLayers.F32(odd)));
        ModelScanResult result = Scan.Bytes(file, "model.safetensors");
        Assert.Equal("layers.1.weight", Only(result, "MA8002").Evidence);
        Assert.Equal(2, result.AnalyzedTensorCount);
    }

    public static TheoryData<string> FloatDTypes() => new() { "F32", "F16", "BF16", "F64" };

    [Theory]
    [MemberData(nameof(FloatDTypes))]
    public void NaN_and_infinity_are_a_warning_in_every_SafeTensors_float_dtype(string dtype)
    {
        float[] values = WeightLayers.Normal(32, 32, 0.05, 1);
        values[100] = float.NaN;
        values[200] = float.PositiveInfinity;
        ModelScanResult result = Scan.Bytes(OneLayer("model.embed.weight", values, 32, 32, dtype), "model.safetensors");
        ModelFinding finding = Only(result, "MA8001");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Contains("1 NaN, 1 +Inf and 0 -Inf", finding.Message);
        Assert.Contains("element 100", finding.Message);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void Healthy_half_precision_and_int8_layers_are_quiet()
    {
        float[] values = WeightLayers.Xavier(128, 64, 2);
        byte[] int8 = values.Select(v => (byte)(sbyte)Math.Round(v * 400)).ToArray();
        byte[] file = WeightLayers.SafeTensors(
            ("a.weight", "F16", new long[] { 128, 64 }, WeightLayers.F16(values)),
            ("b.weight", "BF16", new long[] { 128, 64 }, WeightLayers.BF16(values)),
            ("c.weight", "F64", new long[] { 128, 64 }, WeightLayers.F64(values)),
            ("classifier.weight", "I8", new long[] { 128, 64 }, int8));
        ModelScanResult result = Scan.Bytes(file, "model.safetensors");
        AssertQuiet(result);
        Assert.Equal(4, result.AnalyzedTensorCount);
    }

    public static TheoryData<string, uint> GgufTypes() => new() { { "F32", 0 }, { "F16", 1 }, { "BF16", 30 }, { "Q8_0", 8 }, { "Q4_0", 2 } };

    private static byte[] GgufData(uint type, float[] values) => type switch
    {
        0 => WeightLayers.F32(values),
        1 => WeightLayers.F16(values),
        30 => WeightLayers.BF16(values),
        8 => WeightLayers.Q8_0(values),
        2 => WeightLayers.Q4_0(values),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    [Theory]
    [MemberData(nameof(GgufTypes))]
    public void GGUF_tensors_are_decoded_and_a_planted_output_neuron_found(string name, uint type)
    {
        // GGUF lists dimensions innermost first: output.weight [n_embd, n_vocab] has n_vocab contiguous rows.
        float[] values = WeightLayers.Scale(WeightLayers.Normal(256, 64, 0.02, 9), 64, 200, 3f);
        byte[] file = GgufBuilder.TinyLlama().TensorData("output.weight", type, GgufData(type, values), 64, 256).Build();
        ModelScanResult result = Scan.Bytes(file, "model.gguf");
        ModelFinding finding = Only(result, "MA8002");
        Assert.Contains("#200 ", finding.Message);
        Assert.Contains(name + "[64,256]", finding.Message);
    }

    [Theory]
    [MemberData(nameof(GgufTypes))]
    public void GGUF_healthy_tensors_are_quiet(string name, uint type)
    {
        byte[] file = GgufBuilder.TinyLlama().TensorData("output.weight", type, GgufData(type, WeightLayers.Normal(256, 64, 0.02, 9)), 64, 256).Build();
        ModelScanResult result = Scan.Bytes(file, "model.gguf");
        Assert.DoesNotContain(result.Findings, f => s_weightRules.Contains(f.RuleId));
        Assert.True(result.AnalyzedTensorCount >= 1, name);
    }

    [Theory]
    [MemberData(nameof(GgufTypes))]
    public void GGUF_NaN_is_a_warning_in_every_decoded_type(string name, uint type)
    {
        float[] values = WeightLayers.Normal(64, 64, 0.02, 9);
        byte[] data = GgufData(type, values);
        if (type is 8 or 2)
        {
            // A quantised block is NaN through its float16 scale (the first two bytes of block 3).
            int block = type == 8 ? 34 : 18;
            BitConverter.GetBytes(Half.NaN).CopyTo(data, 3 * block);
        }
        else
        {
            int size = data.Length / values.Length;
            byte[] nan = size switch { 4 => BitConverter.GetBytes(float.NaN), _ => new byte[] { 0xC0, 0x7F } };
            nan.CopyTo(data, 96 * size);
        }

        byte[] file = GgufBuilder.TinyLlama().TensorData("blk.0.ffn_up.weight", type, data, 64, 64).Build();
        ModelScanResult result = Scan.Bytes(file, "model.gguf");
        ModelFinding finding = Only(result, "MA8001");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Contains(name, finding.Message);
        Assert.Contains(type is 8 or 2 ? "32 NaN" : "1 NaN", finding.Message);
    }

    [Theory]
    [InlineData("<f4")]
    [InlineData("<f2")]
    [InlineData("<f8")]
    public void NumPy_NaN_is_a_warning(string descr)
    {
        float[] values = WeightLayers.Normal(32, 32, 0.05, 1);
        values[5] = float.NegativeInfinity;
        byte[] data = descr switch { "<f4" => WeightLayers.F32(values), "<f2" => WeightLayers.F16(values), _ => WeightLayers.F64(values) };
        ModelScanResult result = Scan.Bytes(WeightLayers.Npy(descr, new long[] { 32, 32 }, data), "weights.npy");
        ModelFinding finding = Only(result, "MA8001");
        Assert.Contains("1 -Inf", finding.Message);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void A_single_NumPy_matrix_is_its_own_output_layer_and_fortran_order_is_transposed()
    {
        float[] values = WeightLayers.Scale(WeightLayers.Xavier(64, 128, 3), 128, 9, 4f);
        ModelScanResult rows = Scan.Bytes(WeightLayers.Npy("<f4", new long[] { 64, 128 }, WeightLayers.F32(values)), "w.npy");
        Assert.Contains("#9 ", Only(rows, "MA8002").Message);

        // The same bytes declared column-major are the (128, 64) array's transpose: neuron 9 is then a column.
        ModelScanResult columns = Scan.Bytes(WeightLayers.Npy("<f4", new long[] { 128, 64 }, WeightLayers.F32(values), fortranOrder: true), "w.npy");
        Assert.Contains("#9 ", Only(columns, "MA8002").Message);
    }

    [Fact]
    public void ONNX_initializer_NaN_is_a_warning()
    {
        float[] values = WeightLayers.Normal(8, 27, 0.1, 1);
        values[30] = float.NaN;
        var tensor = new ProtoBuilder().Packed(1, 8, 3, 3, 3).Varint(2, 1).String(8, "conv.weight").Bytes(9, WeightLayers.F32(values));
        byte[] model = OnnxBuilder.Model(OnnxBuilder.Graph("main_graph",
            new[] { OnnxBuilder.Node("Conv", "/conv/Conv", new[] { "x", "conv.weight" }, new[] { "y" }) }, new[] { tensor }));
        ModelScanResult result = Scan.Bytes(model, "model.onnx");
        Assert.Contains("1 NaN", Only(result, "MA8001").Message);
    }

    [Fact]
    public void Skipping_the_hash_still_analyses_in_a_pass_of_its_own()
    {
        float[] values = WeightLayers.Normal(32, 32, 0.05, 1);
        values[0] = float.NaN;
        byte[] file = OneLayer("w", values, 32, 32);
        ModelScanResult result = Scan.Bytes(file, "model.safetensors", new ScanOptions { SkipHash = true });
        Assert.True(result.Has("MA8001", Severity.Warning), result.Describe());
        Assert.Null(result.Sha256);
    }

    [Fact]
    public void Analysis_follows_the_options_and_the_default_size_limit()
    {
        float[] values = WeightLayers.Normal(32, 32, 0.05, 1);
        values[0] = float.NaN;
        byte[] file = OneLayer("w", values, 32, 32);

        ModelScanResult off = Scan.Bytes(file, "model.safetensors", new ScanOptions { AnalyzeWeights = false });
        Assert.False(off.Has("MA8001"));
        Assert.Equal(0, off.AnalyzedTensorCount);
        Assert.Equal(ScanOutcome.Clean, off.Outcome);

        ModelScanResult overDefault = Scan.Bytes(file, "model.safetensors", new ScanOptions { WeightAnalysisMaxFileSize = file.Length - 1 });
        Assert.False(overDefault.Has("MA8001"));

        ModelScanResult forced = Scan.Bytes(file, "model.safetensors", new ScanOptions { AnalyzeWeights = true, WeightAnalysisMaxFileSize = 1 });
        Assert.True(forced.Has("MA8001"));
        Assert.Equal(1, forced.AnalyzedTensorCount);
    }

    [Fact]
    public void Every_float16_and_bfloat16_bit_pattern_decodes_as_the_runtime_converts_it()
    {
        // All 65,536 patterns in one run, so the vector path takes all but the tail: normals, subnormals, both zeros,
        // infinities and NaN payloads.
        byte[] bytes = new byte[65536 * 2];
        for (int bits = 0; bits < 65536; bits++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(bits * 2), (ushort)bits);
        }

        foreach (WeightEncoding encoding in new[] { WeightEncoding.Float16, WeightEncoding.BFloat16 })
        {
            var sink = new Collect();
            new WeightDecoder(encoding).Decode(bytes, sink);
            Assert.Equal(65536, sink.Values.Count);
            for (int bits = 0; bits < 65536; bits++)
            {
                float expected = encoding == WeightEncoding.Float16 ? (float)BitConverter.UInt16BitsToHalf((ushort)bits) : BitConverter.Int32BitsToSingle(bits << 16);
                float actual = sink.Values[bits];
                Assert.True(float.IsNaN(expected) ? float.IsNaN(actual) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                    $"{encoding} 0x{bits:x4}: {actual} instead of {expected}");
            }
        }
    }

    [Fact]
    public void Decoding_does_not_depend_on_how_the_bytes_are_chunked()
    {
        float[] values = WeightLayers.Normal(4, 64, 0.5, 3);
        foreach (WeightEncoding encoding in new[] { WeightEncoding.Float32, WeightEncoding.Float16, WeightEncoding.BFloat16, WeightEncoding.Float64, WeightEncoding.Q8_0, WeightEncoding.Q4_0 })
        {
            byte[] data = encoding switch
            {
                WeightEncoding.Float32 => WeightLayers.F32(values),
                WeightEncoding.Float16 => WeightLayers.F16(values),
                WeightEncoding.BFloat16 => WeightLayers.BF16(values),
                WeightEncoding.Float64 => WeightLayers.F64(values),
                WeightEncoding.Q8_0 => WeightLayers.Q8_0(values),
                _ => WeightLayers.Q4_0(values),
            };
            var whole = new Collect();
            new WeightDecoder(encoding).Decode(data, whole);
            var split = new Collect();
            var decoder = new WeightDecoder(encoding);
            for (int i = 0; i < data.Length; i += 5)
            {
                decoder.Decode(data.AsSpan(i, Math.Min(5, data.Length - i)), split);
            }

            Assert.Equal(values.Length, whole.Values.Count);
            Assert.Equal(whole.Values, split.Values);
            Assert.Equal(0, decoder.Carried);
            double tolerance = encoding switch { WeightEncoding.Q4_0 => 0.25, WeightEncoding.Q8_0 => 0.02, WeightEncoding.Float16 or WeightEncoding.BFloat16 => 0.01, _ => 1e-6 };
            Assert.All(values.Zip(whole.Values), p => Assert.True(Math.Abs(p.First - p.Second) <= tolerance * 2, $"{encoding}: {p.First} vs {p.Second}"));
        }
    }

    [Fact]
    public void Moments_are_exact_where_a_sum_of_squares_would_cancel()
    {
        var random = new WeightRandom(4);
        float[] values = Enumerable.Range(0, 100_000).Select(_ => (float)(10_000 + random.Normal(0, 0.01))).ToArray();
        var moments = new TensorMoments();
        for (int i = 0; i < values.Length; i += 4096)
        {
            moments.Add(values.AsSpan(i, Math.Min(4096, values.Length - i)), i);
        }

        double mean = values.Average(v => (double)v);
        double variance = values.Sum(v => ((double)v - mean) * ((double)v - mean)) / values.Length;
        Assert.Equal(mean, moments.Mean, 6);
        Assert.Equal(variance, moments.Variance, 10);
        Assert.Equal(values.Length, moments.Count);
    }

    private sealed class Collect : IWeightSink
    {
        public List<float> Values { get; } = new();

        public void Accept(ReadOnlySpan<float> values) => Values.AddRange(values.ToArray());
    }
}
