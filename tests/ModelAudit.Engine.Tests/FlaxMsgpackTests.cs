using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Flax checkpoints encoded as flax.serialization.to_bytes writes them: nested maps of names to
/// ext type 1 ndarrays (msgpack of [shape, dtype name, raw bytes]).</summary>
public sealed class FlaxMsgpackTests
{
    private static byte[] Str(string s)
    {
        byte[] b = Encoding.UTF8.GetBytes(s);
        return b.Length < 32 ? Concat(new[] { (byte)(0xA0 | b.Length) }, b) : Concat(new byte[] { 0xD9, (byte)b.Length }, b);
    }

    private static byte[] Map(params (string Key, byte[] Value)[] entries) =>
        Concat(new[] { (byte)(0x80 | entries.Length) }, Concat(entries.Select(e => Concat(Str(e.Key), e.Value)).ToArray()));

    private static byte[] Bin(byte[] data)
    {
        byte[] header = { 0xC6, 0, 0, 0, 0 };
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), (uint)data.Length);
        return Concat(header, data);
    }

    private static byte[] NdArray(int elements)
    {
        byte[] payload = Concat(new byte[] { 0x93, 0x91, (byte)elements }, Str("float32"), Bin(new byte[elements * 4]));
        byte[] header = { 0xC7, (byte)payload.Length, 0x01 };
        return Concat(header, payload);
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Dense(params (string, byte[])[] extra) => Map(("params", Map(
        ("Dense_0", Map(new[] { ("bias", NdArray(4)), ("kernel", NdArray(12)) }.Concat(extra).ToArray())))));

    [Fact]
    public void A_flax_parameter_tree_is_clean()
    {
        ModelScanResult result = Scan.Bytes(Dense(), "flax_model.msgpack");
        Assert.Equal("FlaxMsgpack", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Theory]
    [InlineData("__reduce__")]
    [InlineData("__class__")]
    [InlineData("__code__")]
    public void An_object_protocol_key_is_a_warning(string key)
    {
        ModelScanResult result = Scan.Bytes(Dense((key, Str("os.system"))), "flax_model.msgpack");
        Assert.True(result.Has("MA1141", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_pickle_in_a_bin_value_goes_to_the_pickle_engine()
    {
        byte[] pickle = Concat(new byte[] { 0x80, 0x02 }, "cos\nsystem\n"u8.ToArray(), new byte[] { (byte)'X', 2, 0, 0, 0, (byte)'i', (byte)'d', 0x85, (byte)'R', (byte)'.' });
        ModelScanResult result = Scan.Bytes(Dense(("state", Bin(pickle))), "flax_model.msgpack");
        Assert.True(result.Has("MA1013", Severity.Warning), result.Describe());
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Bytes_after_the_root_are_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Concat(Dense(), new byte[] { 0xC0, 0xC0 }), "flax_model.msgpack");
        Assert.True(result.Has("MA6175", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_count_beyond_the_bytes_left_is_a_parse_error_without_allocation()
    {
        byte[] data = Concat(new byte[] { 0x81 }, Str("params"), new byte[] { 0xDD, 0xFF, 0xFF, 0xFF, 0xFF });
        ModelScanResult result = Scan.Bytes(data, "flax_model.msgpack");
        Assert.True(result.Has("MA9001"), result.Describe());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    [Fact]
    public void Deep_nesting_is_a_limit_not_a_stack_overflow()
    {
        byte[] data = Concat(new byte[] { 0x81 }, Str("a"), Enumerable.Repeat((byte)0x91, 100_000).ToArray(), new byte[] { 0xC0 });
        ModelScanResult result = Scan.Bytes(data, "flax_model.msgpack");
        Assert.True(result.Has("MA9002"), result.Describe());
    }

    [Fact]
    public void Every_truncation_is_not_clean()
    {
        byte[] data = Dense();
        for (int cut = 1; cut < data.Length; cut += 3)
        {
            Assert.NotEqual(ScanOutcome.Clean, Scan.Bytes(data[..cut], "flax_model.msgpack").Outcome);
        }
    }
}
