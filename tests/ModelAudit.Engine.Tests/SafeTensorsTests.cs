using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>SafeTensors structure: each malformed variant with the finding and outcome it must give.</summary>
public sealed class SafeTensorsTests
{
    private static byte[] File(string header, int dataLength, ulong? declaredLength = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        byte[] data = new byte[8 + json.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(data, declaredLength ?? (ulong)json.Length);
        json.CopyTo(data, 8);
        return data;
    }

    private const string TwoTensors =
        "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[16,24]}}";

    [Fact]
    public void A_well_formed_file_is_clean()
    {
        ModelScanResult result = Scan.Bytes(File(TwoTensors, 24), "model.safetensors");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Equal("SafeTensors", result.Format);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Truncated_data_is_out_of_bounds()
    {
        ModelScanResult result = Scan.Bytes(File(TwoTensors, 20), "model.safetensors");
        Assert.True(result.Has("MA6013", Severity.Warning), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void Header_length_two_to_the_63_is_out_of_bounds()
    {
        ModelScanResult result = Scan.Bytes(File(TwoTensors, 24, declaredLength: 1UL << 63), "model.safetensors");
        Assert.Equal("SafeTensors", result.Format);
        Assert.True(result.Has("MA6010", Severity.Warning), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void File_shorter_than_its_length_prefix()
    {
        ModelScanResult result = Scan.Bytes(new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'"' }, "model.safetensors");
        Assert.True(result.Has("MA6010"), result.Describe());
    }

    [Fact]
    public void Header_that_is_not_json()
    {
        ModelScanResult result = Scan.Bytes(File("{\"a\": {\"dtype\": F32 oops", 0), "model.safetensors");
        Assert.True(result.Has("MA6011", Severity.Warning), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void Overlapping_offsets()
    {
        string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        ModelScanResult result = Scan.Bytes(File(header, 16), "model.safetensors");
        Assert.True(result.Has("MA6012", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Offsets_past_the_end_of_the_file()
    {
        string header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1000000],\"data_offsets\":[0,1000000]}}";
        ModelScanResult result = Scan.Bytes(File(header, 10), "model.safetensors");
        Assert.True(result.Has("MA6013", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Shape_and_dtype_disagree_with_the_byte_range()
    {
        string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}";
        ModelScanResult result = Scan.Bytes(File(header, 16), "model.safetensors");
        Assert.True(result.Has("MA6014", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Gaps_and_trailing_bytes_are_unreferenced_data()
    {
        string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        ModelScanResult result = Scan.Bytes(File(header, 20), "model.safetensors");
        Assert.Equal(2, result.Findings.Count(f => f.RuleId == "MA6015"));
    }

    [Fact]
    public void Unexpected_keys_are_info_and_non_string_metadata_is_a_warning()
    {
        string header = "{\"__metadata__\":{\"n\":5},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}";
        ModelScanResult result = Scan.Bytes(File(header, 4), "model.safetensors");
        Assert.True(result.Has("MA6016", Severity.Info), result.Describe());
        Assert.True(result.Has("MA6011", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Metadata_strings_reach_the_analyzers()
    {
        string header = "{\"__metadata__\":{\"note\":\"key AKIADN73U55XTPLPFT7V here\"},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        ModelScanResult result = Scan.Bytes(File(header, 4), "model.safetensors");
        ModelFinding secret = Assert.Single(result.Findings, f => f.RuleId == "MA4001");
        Assert.Equal("Secrets", secret.Scanner);
        Assert.DoesNotContain("DN73U55XTPLPFT7V", secret.Evidence + secret.Message);
    }

    [Fact]
    public void A_compressed_file_claiming_a_header_it_does_not_hold_is_truncated_and_never_allocated()
    {
        // Inside gzip the length of the content is unknown, so the claim (100 MiB, the limit) cannot be checked up front.
        byte[] file = File(TwoTensors, 24, declaredLength: 100UL << 20);
        var buffer = new MemoryStream();
        using (var z = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(file);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        ModelScanResult result = Scan.Bytes(buffer.ToArray(), "model.safetensors.gz");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(result.Has("MA6013", Severity.Warning), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
        Assert.True(allocated < 24L << 20, $"{allocated:N0} bytes allocated");
    }
}
