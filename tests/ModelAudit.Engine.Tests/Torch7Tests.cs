using System.Buffers.Binary;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// Torch7 (Lua Torch) files written as File.lua writes them (tests/fixtures/generate_torch7.py): a benign nn model is
/// Clean, a Lua function is a Warning and one that names os.execute is Critical, and what the walk cannot follow
/// (another class's own read method, ASCII mode, truncation, depth) is Inconclusive, never Clean.
/// </summary>
public sealed class Torch7Tests
{
    private static ModelScanResult Fixture(string name) => Scan.File(Scan.Fixture(Path.Combine("torch7", name)));

    [Fact]
    public void A_sequential_model_with_tensors_is_clean()
    {
        ModelScanResult result = Fixture("sequential_linear.t7");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Equal("Torch7", result.Format);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_function_that_names_os_execute_is_critical_with_its_field()
    {
        ModelScanResult result = Fixture("forward_os_execute.t7");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1186");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Contains("field 'forward'", finding.Message);
        Assert.Contains("os.execute", finding.Message);
    }

    [Fact]
    public void Any_other_function_is_a_warning()
    {
        ModelScanResult result = Fixture("plain_function.t7");
        Assert.True(result.Has("MA1185", Severity.Warning), result.Describe());
        Assert.False(result.Has("MA1186"));
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void A_class_that_reads_itself_is_inconclusive()
    {
        ModelScanResult result = Fixture("generator.t7");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.Contains(result.Findings, f => f.RuleId == "MA9001" && f.Message.Contains("torch.Generator", StringComparison.Ordinal));
    }

    [Fact]
    public void An_ascii_mode_file_is_recognised_and_inconclusive()
    {
        ModelScanResult result = Scan.Bytes("4\n1\n3\nV 1\n13\nnn.Sequential\n3\n2\n0\n"u8.ToArray(), "model.t7");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9003"), result.Describe());
    }

    [Fact]
    public void A_truncated_file_is_inconclusive_and_a_function_before_the_cut_still_reported()
    {
        byte[] whole = File.ReadAllBytes(Scan.Fixture(Path.Combine("torch7", "forward_os_execute.t7")));
        ModelScanResult result = Scan.Bytes(whole[..^40], "model.t7");
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
        Assert.True(result.Has("MA1186"), result.Describe());
        Assert.True(result.Has("MA9001"), result.Describe());
    }

    [Fact]
    public void Deep_nesting_is_a_limit_not_a_crash()
    {
        var bytes = new List<byte>();
        void Int(int v)
        {
            byte[] b = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, v);
            bytes.AddRange(b);
        }

        for (int i = 1; i <= 5_000; i++)
        {
            Int(3);
            Int(i);
            Int(1);
            Int(1); // key: a number
            bytes.AddRange(new byte[8]);
        }

        ModelScanResult result = Scan.Bytes(bytes.ToArray(), "deep.t7");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9002"), result.Describe());
    }

    [Fact]
    public void A_cuda_byte_storage_is_skipped_by_one_byte_an_element_so_a_function_after_it_is_found()
    {
        // cutorch reads torch.CudaByteStorage one byte an element. Read as four, the 40 elements would swallow the
        // function File.lua reads next (as a table key) and the walk would land on filler made to parse: Clean.
        var bytes = new List<byte>();
        void Int(int v)
        {
            byte[] b = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, v);
            bytes.AddRange(b);
        }

        void Text(string text)
        {
            Int(text.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(text));
        }

        Int(3); Int(1); Int(2); // table #1 of two entries
        Int(2); Text("w"); // key "w"
        Int(4); Int(2); Text("V 1"); Text("torch.CudaByteStorage"); // value: the storage
        bytes.AddRange(BitConverter.GetBytes(40L));
        int data = bytes.Count;
        bytes.AddRange(new byte[40]);
        Int(6); Text("\u001bLuaQ\0\u0002os\0\u0007execute\0".PadRight(32, (char)0)); // key: a function
        Int(3); Int(3); Int(0); // its upvalues: an empty table
        Int(2); Int(76); // value: a string of 76 bytes, ending 176 bytes past the storage's data
        int fill = data + 160 - bytes.Count;
        bytes.AddRange(new byte[fill]);
        Int(1); bytes.AddRange(new byte[8]); Int(0); // where four bytes an element would land: a number key, a nil value
        Assert.Equal(data + 176, bytes.Count);

        ModelScanResult result = Scan.Bytes(bytes.ToArray(), "model.t7");
        Assert.True(result.Has("MA1186", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Unknown_content_named_t7_is_not_clean()
    {
        ModelScanResult result = Scan.Bytes(new byte[] { 0x09, 0xFE, 0x00, 0x7F, 0x13, 0x88, 0x00, 0x00, 0xC3, 0x28 }, "model.t7");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }
}
