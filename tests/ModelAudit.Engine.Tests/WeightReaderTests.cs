using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// The tensor readers of weight analysis on files written by the real libraries (tests/fixtures/generate_weights.py:
/// torch 1.13 and h5py): PyTorch zip storages and legacy storages located from the pickle's _rebuild_tensor_v2 calls,
/// Keras H5 datasets (dense kernels are [inputs, units], so neurons are columns), a Keras 3 archive's stored weights
/// file, and ONNX external data. Planted neurons are found, healthy layers are quiet, NaN/Inf is found in every dtype,
/// and what cannot be read in element order (a strided view, chunked data) is summarised but not judged.
/// </summary>
public sealed class WeightReaderTests : IDisposable
{
    private static readonly string[] s_weightRules = { "MA8001", "MA8002", "MA8003", "MA8004", "MA8005" };

    private readonly string _dir = Directory.CreateTempSubdirectory("modelaudit-weights-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ModelScanResult Fixture(string name) => Scan.File(Scan.Fixture(Path.Combine("weights", name)));

    private static ModelFinding Only(ModelScanResult result, string ruleId)
    {
        ModelFinding[] found = result.Findings.Where(f => f.RuleId == ruleId).ToArray();
        Assert.True(found.Length == 1, $"{found.Length} {ruleId} findings: " + result.Describe());
        return found[0];
    }

    [Theory]
    [InlineData("torch_planted.pt", "PyTorchZip")]
    [InlineData("torch_plain_dict_planted.pt", "PyTorchZip")]
    [InlineData("torch_parameters_planted.pt", "PyTorchZip")]
    [InlineData("torch_legacy_planted.pt", "PyTorchLegacy")]
    public void A_planted_output_neuron_in_a_torch_checkpoint_is_found_under_its_state_dict_name(string file, string format)
    {
        ModelScanResult result = Fixture(file);
        Assert.Equal(format, result.Format);
        ModelFinding finding = Only(result, "MA8002");
        Assert.Equal(Severity.Info, finding.Severity);
        Assert.Contains("'classifier.weight' (float32[16,512])", finding.Message);
        Assert.Contains("#3 ", finding.Message);

        // Info, not an alarm; the file is still Clean. Four tensors, all described, the two matrices and vectors read.
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Equal(4, result.TensorCount);
        Assert.Equal((64 * 32) + 64 + (16 * 512) + 16, result.ParameterCount);
        Assert.Equal(4, result.AnalyzedTensorCount);
    }

    [Fact]
    public void A_healthy_torch_checkpoint_is_quiet_and_summarised()
    {
        ModelScanResult result = Fixture("torch_healthy.pt");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.DoesNotContain(result.Findings, f => s_weightRules.Contains(f.RuleId));
        Assert.Equal(4, result.AnalyzedTensorCount);
        Assert.Contains("float32", result.TensorDTypes);
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float16")]
    [InlineData("bfloat16")]
    [InlineData("float64")]
    public void NaN_and_infinity_in_a_torch_checkpoint_are_a_warning_in_every_float_dtype(string dtype)
    {
        ModelScanResult result = Fixture($"torch_nan_{dtype}.pt");
        ModelFinding finding = Only(result, "MA8001");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Contains($"'encoder.weight' ({dtype}[16,64])", finding.Message);
        Assert.Contains("1 NaN, 1 +Inf", finding.Message);

        // Element [2, 5] of a [16, 64] matrix.
        Assert.Contains("element 133", finding.Message);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void A_transposed_view_is_summarised_but_not_judged_in_an_order_it_does_not_have()
    {
        // classifier.weight is saved with strides (1, 16): its bytes are not its rows in order.
        ModelScanResult result = Fixture("torch_transposed.pt");
        Assert.Equal(4, result.TensorCount);
        Assert.Equal(3, result.AnalyzedTensorCount);
        Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA8002" && f.Message.Contains("classifier.weight", StringComparison.Ordinal));
    }

    [Fact]
    public void Tensors_that_share_a_storage_are_each_read_at_their_own_offset()
    {
        ModelScanResult result = Fixture("torch_views.pt");
        Assert.Equal(2, result.TensorCount);
        Assert.Equal(2, result.AnalyzedTensorCount);
        Assert.Equal(16 * 64, result.ParameterCount);
    }

    [Fact]
    public void Torch_tensors_are_read_in_the_hashing_pass()
    {
        // The zip's directory at its end and each storage's first bytes are read before the tensors are hashed; the
        // hashing stream serves those reads ahead, so no tensor needs a second read of the file. Larger than the
        // 1 MiB head weight analysis keeps, so only the read-ahead can deliver the second storage in the pass.
        float[] first = WeightLayers.Xavier(256, 1024, 5);
        float[] head = WeightLayers.Scale(WeightLayers.Xavier(256, 1024, 11), 1024, 3, 3f);
        byte[] data = TorchZip(("fc.weight", "0", 256, 1024, first), ("classifier.weight", "1", 256, 1024, head));
        long read = 0;
        var item = new ScanItem("model.pt", data.Length, () => new CountingStream(data, n => read += n));
        ModelScanResult result = new ScanEngine(new ScanOptions()).Scan(item, CancellationToken.None);
        Assert.Equal(2, result.AnalyzedTensorCount);
        Assert.Contains("#3 ", Only(result, "MA8002").Message);
        Assert.True(read < data.Length * 5 / 4, $"{read:N0} bytes read for a {data.Length:N0}-byte file");
    }

    // A PyTorch zip as torch.save writes one: archive/data.pkl (an OrderedDict of _rebuild_tensor_v2 calls on
    // persistent storages), then archive/data/<key> stored, then archive/version.
    private static byte[] TorchZip(params (string Name, string Key, int Rows, int Columns, float[] Values)[] tensors)
    {
        var pickle = new PickleBuilder().Proto(2).Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark();
        foreach (var (name, key, rows, columns, _) in tensors)
        {
            pickle.Str(name).Global("torch._utils", "_rebuild_tensor_v2").Mark()
                .Mark().Str("storage").Global("torch", "FloatStorage").Str(key).Str("cpu").Int(rows * columns).Tuple().BinPersId()
                .Int(0).Int(rows).Int(columns).Tuple2().Int(columns).Int(1).Tuple2().Op(0x89)
                .Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce();
        }

        byte[] pkl = pickle.Op('u').Stop().ToArray();
        var entries = new List<(string, byte[])> { ("archive/data.pkl", pkl) };
        entries.AddRange(tensors.Select(t => ($"archive/data/{t.Key}", WeightLayers.F32(t.Values))));
        entries.Add(("archive/version", "3\n"u8.ToArray()));
        return ArchiveBuilder.Zip(entries.ToArray());
    }

    [Theory]
    [InlineData("keras_planted.h5")]
    [InlineData("keras3_planted.keras")]
    public void A_planted_output_neuron_in_a_keras_kernel_column_is_found(string file)
    {
        ModelScanResult result = Fixture(file);
        ModelFinding finding = Only(result, "MA8002");
        Assert.Contains("<f4[512,16]", finding.Message);
        Assert.Contains("#3 ", finding.Message);
        Assert.Contains("of 16 output neurons", finding.Message);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void A_healthy_keras_h5_is_quiet_and_every_dataset_is_read()
    {
        ModelScanResult result = Fixture("keras_healthy.h5");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.DoesNotContain(result.Findings, f => s_weightRules.Contains(f.RuleId));
        Assert.Equal(4, result.TensorCount);
        Assert.Equal(4, result.AnalyzedTensorCount);
    }

    [Theory]
    [InlineData("f4")]
    [InlineData("f2")]
    [InlineData("f8")]
    public void NaN_and_infinity_in_a_keras_dataset_are_a_warning(string dtype)
    {
        ModelScanResult result = Fixture($"keras_nan_{dtype}.h5");
        ModelFinding finding = Only(result, "MA8001");
        Assert.Contains("/model_weights/predictions/predictions/kernel:0", finding.Message);
        Assert.Contains("1 NaN, 1 +Inf", finding.Message);
    }

    [Fact]
    public void Chunked_compressed_keras_data_is_summarised_but_not_read()
    {
        ModelScanResult result = Fixture("keras_chunked_planted.h5");
        Assert.Equal(4, result.TensorCount);
        Assert.Equal(3, result.AnalyzedTensorCount);
        Assert.False(result.Has("MA8002"), result.Describe());
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void ONNX_external_data_is_read_when_the_data_file_is_scanned()
    {
        float[] values = WeightLayers.Scale(WeightLayers.Xavier(16, 512, 11), 512, 3, 3f);
        values[700] = float.NaN;
        File.WriteAllBytes(Path.Combine(_dir, "model.onnx.data"), WeightLayers.F32(values));
        byte[] model = OnnxBuilder.Model(OnnxBuilder.Graph("g", new[] { OnnxBuilder.Node("MatMul", "head", new[] { "x", "classifier.weight" }, new[] { "y" }) },
            new[] { OnnxBuilder.ExternalTensor("classifier.weight", "model.onnx.data", 0, values.Length * 4, 16, 512) }));
        File.WriteAllBytes(Path.Combine(_dir, "model.onnx"), model);

        ModelScanResult data = Scan.File(Path.Combine(_dir, "model.onnx.data"));
        Assert.Contains("1 NaN", Only(data, "MA8001").Message);
        Assert.Contains("#3 ", Only(data, "MA8002").Message);
        Assert.Equal(1, data.AnalyzedTensorCount);
    }

    private sealed class CountingStream(byte[] data, Action<int> counted) : MemoryStream(data, writable: false)
    {
        // Only this overload: a MemoryStream subclass's span reads come through it.
        public override int Read(byte[] buffer, int offset, int count)
        {
            int read = base.Read(buffer, offset, count);
            counted(read);
            return read;
        }
    }
}
