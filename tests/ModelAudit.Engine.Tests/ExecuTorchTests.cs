using System.Buffers.Binary;

namespace ModelAudit.Engine.Tests;

/// <summary>ExecuTorch .pte programs built as ExecuTorch's pte file format documents them (root offset, "ET12", the
/// optional "eh00" extended header): well-formed programs are Clean data, headers that contradict the file are
/// MA6177.</summary>
public sealed class ExecuTorchTests
{
    /// <summary>A program whose extended header declares <paramref name="programSize"/> bytes of flatbuffer data and
    /// segments from <paramref name="segmentBase"/>, in a file of <paramref name="length"/> bytes (the documented example:
    /// root 0x38, program 0x2F0 bytes, segments at 0x1000).</summary>
    internal static byte[] Program(ulong programSize = 0x2F0, ulong segmentBase = 0x1000, int length = 0x1020, bool extended = true)
    {
        byte[] file = new byte[length];
        BinaryPrimitives.WriteUInt32LittleEndian(file, 0x38);
        "ET12"u8.CopyTo(file.AsSpan(4));
        if (extended)
        {
            "eh00"u8.CopyTo(file.AsSpan(8));
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(12), 0x20);
            BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(16), programSize);
            BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(24), segmentBase);
            BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(32), (ulong)length - segmentBase);
        }

        return file;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_well_formed_program_is_clean_data(bool extended)
    {
        ModelScanResult result = Scan.Bytes(Program(extended: extended), "model.pte");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Equal("ExecuTorch", result.Format);
        Assert.Empty(result.Findings);
    }

    [Theory]
    [InlineData(0x5000UL, 0x1000UL, "program_size")]
    [InlineData(0x2F0UL, 0x100UL, "segment_base_offset")]
    [InlineData(0x2F0UL, 0x9000UL, "segment_base_offset")]
    public void A_header_that_contradicts_the_file_is_reported(ulong programSize, ulong segmentBase, string field)
    {
        ModelScanResult result = Scan.Bytes(Program(programSize, segmentBase), "model.pte");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA6177");
        Assert.Equal(field, finding.Evidence);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void A_pickle_named_pte_is_still_a_pickle()
    {
        ModelScanResult result = Scan.Bytes(PickleBuilder.Gadget("os", "system", "id"), "model.pte");
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }
}
