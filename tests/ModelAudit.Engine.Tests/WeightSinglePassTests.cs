using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// With hashing on, weight analysis takes its bytes from the hashing pass: a tensor whose first bytes were hashed
/// before it was described (detection peeks the head, parsers read ahead) is fed from the kept head, not read again.
/// Counted on the stream the engine reads, so a second pass over the tensor shows.
/// </summary>
public sealed class WeightSinglePassTests
{
    private sealed class CountingStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public long BytesRead { get; private set; }

        // Only this overload: a MemoryStream subclass's span reads come through it (counting both would count twice).
        public override int Read(byte[] buffer, int offset, int count)
        {
            int read = base.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }
    }

    private static (ModelScanResult Result, long BytesRead) ScanCounted(byte[] data, ScanOptions options)
    {
        CountingStream? stream = null;
        var item = new ScanItem("model.safetensors", data.Length, () => stream = new CountingStream(data));
        ModelScanResult result = new ScanEngine(options).Scan(item, CancellationToken.None);
        return (result, stream!.BytesRead);
    }

    private static byte[] Layer(string name, int neurons, int inputs, int planted) =>
        WeightLayers.F32(WeightLayers.Scale(WeightLayers.Xavier(neurons, inputs, 11), inputs, planted, 3f));

    [Fact]
    public void A_large_tensor_that_begins_in_the_hashed_head_is_analysed_in_the_hashing_pass()
    {
        // 1000 x 256 F32 (1 MB) right after a small header: its first bytes are in the detection peek.
        byte[] file = WeightLayers.SafeTensors(("classifier.weight", "F32", new long[] { 1000, 256 }, Layer("classifier.weight", 1000, 256, 333)));
        var (result, read) = ScanCounted(file, new ScanOptions());

        Assert.Contains(result.Findings, f => f.RuleId == "MA8002" && f.Message.Contains("#333 ", StringComparison.Ordinal));
        Assert.Equal(1, result.AnalyzedTensorCount);
        Assert.NotNull(result.Sha256);
        Assert.True(read < file.Length + (64 << 10), $"read {read:N0} bytes of a {file.Length:N0}-byte file: the tensor was read twice");
    }

    [Fact]
    public void Tensors_wholly_inside_the_head_are_analysed_from_it_in_file_order()
    {
        byte[] file = WeightLayers.SafeTensors(
            ("a.weight", "F32", new long[] { 64, 32 }, Layer("a.weight", 64, 32, 5)),
            ("lm_head.weight", "F32", new long[] { 64, 32 }, Layer("lm_head.weight", 64, 32, 40)));
        var (result, read) = ScanCounted(file, new ScanOptions());

        Assert.Equal(2, result.AnalyzedTensorCount);
        Assert.Contains(result.Findings, f => f.RuleId == "MA8002" && f.Evidence == "lm_head.weight" && f.Message.Contains("#40 ", StringComparison.Ordinal));
        Assert.True(read < 2L * file.Length, $"read {read:N0} bytes of a {file.Length:N0}-byte file");
    }

    [Fact]
    public void Without_hashing_the_tensors_are_still_read_and_analysed_in_a_pass_of_their_own()
    {
        byte[] file = WeightLayers.SafeTensors(("classifier.weight", "F32", new long[] { 1000, 256 }, Layer("classifier.weight", 1000, 256, 333)));
        var (result, read) = ScanCounted(file, new ScanOptions { SkipHash = true, AnalyzeWeights = true });

        Assert.Contains(result.Findings, f => f.RuleId == "MA8002" && f.Message.Contains("#333 ", StringComparison.Ordinal));
        Assert.Null(result.Sha256);
        Assert.True(read >= 1000 * 256 * 4, $"read only {read:N0} bytes: the tensor cannot have been analysed");
    }
}
