using System.Buffers.Binary;
using System.Text;
using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Tests;

/// <summary>Every format the foundation promises to recognise, from content alone (names are deliberately wrong).</summary>
public sealed class DetectionTests
{
    private static string Detect(byte[] data, string name = "file.dat") => FormatDetector.Detect(data, data.Length, name).Name;

    private static byte[] Bytes(params int[] values) => values.Select(v => (byte)v).Concat(new byte[64]).ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Python_pickles_of_every_protocol_are_pickle(int protocol)
    {
        string path = Scan.Fixture($"benign/cpython_dict_p{protocol}.pkl");
        Assert.Equal("Pickle", Detect(File.ReadAllBytes(path), "weights.txt"));
    }

    [Theory]
    [InlineData("cos\nsystem\n(S'id'\ntR.")]
    [InlineData("(dp0\nS'a'\np1\nI1\ns.")]
    [InlineData("]q\u0000(K\u0001K\u0002e.")]
    [InlineData("}q\u0000X\u0001\u0000\u0000\u0000aq\u0001K\u0001s.")]
    public void Protocol_0_and_1_text_starts_are_pickle(string pickle) =>
        Assert.Equal("Pickle", Detect(Encoding.Latin1.GetBytes(pickle)));

    [Theory]
    [InlineData("This is a README for the model.\n")]
    [InlineData("import os\nimport sys\n")]
    [InlineData("[PAD]\n[UNK]\nthe\n")]
    [InlineData("#version: 0.2\nt h\n")]
    public void Ordinary_text_is_not_pickle(string text) =>
        Assert.NotEqual("Pickle", Detect(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Zip_local_header_empty_archive_and_spanned_marker() =>
        Assert.All(new[] { "PK\x03\x04", "PK\x05\x06", "PK\x07\x08" }, magic =>
            Assert.Equal("Zip", Detect(Encoding.Latin1.GetBytes(magic + new string('\0', 40)))));

    [Fact]
    public void Ustar_and_v7_tar()
    {
        byte[] ustar = new byte[1024];
        Encoding.ASCII.GetBytes("model.pt").CopyTo(ustar, 0);
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(ustar, 257);
        Assert.Equal("Tar", Detect(ustar));

        byte[] v7 = new byte[1024];
        Encoding.ASCII.GetBytes("pickle").CopyTo(v7, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(v7, 100);
        Encoding.ASCII.GetBytes("00000000012\0").CopyTo(v7, 124);
        long sum = v7.Take(512).Select((b, i) => i is >= 148 and < 156 ? 32 : b).Sum();
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(v7, 148);
        Assert.Equal("Tar", Detect(v7));
    }

    [Theory]
    [InlineData(new[] { 0x1F, 0x8B, 0x08 }, "Gzip")]
    [InlineData(new[] { 0x42, 0x5A, 0x68, 0x39 }, "Bzip2")]
    [InlineData(new[] { 0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00 }, "Xz")]
    [InlineData(new[] { 0x28, 0xB5, 0x2F, 0xFD }, "Zstd")]
    [InlineData(new[] { 0x04, 0x22, 0x4D, 0x18 }, "Lz4")]
    [InlineData(new[] { 0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C }, "SevenZip")]
    [InlineData(new[] { 0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A }, "Hdf5")]
    [InlineData(new[] { 0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 0x01, 0x00 }, "NumPy")]
    [InlineData(new[] { 0x47, 0x47, 0x55, 0x46, 0x03, 0x00, 0x00, 0x00 }, "Gguf")]
    [InlineData(new[] { 0x6C, 0x6D, 0x67, 0x67 }, "Ggml")]
    [InlineData(new[] { 0x74, 0x6A, 0x67, 0x67 }, "Ggml")]
    [InlineData(new[] { 0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01 }, "Elf")]
    [InlineData(new[] { 0xCF, 0xFA, 0xED, 0xFE }, "MachO")]
    [InlineData(new[] { 0xFE, 0xED, 0xFA, 0xCE }, "MachO")]
    [InlineData(new[] { 0x78, 0x9C, 0x6B, 0x60 }, "Zlib")]
    public void Binary_magics(int[] magic, string expected) => Assert.Equal(expected, Detect(Bytes(magic)));

    [Fact]
    public void Hdf5_after_a_user_block()
    {
        byte[] data = new byte[1024];
        new byte[] { 0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(data, 512);
        Assert.Equal("Hdf5", Detect(data));
    }

    [Fact]
    public void Pe_needs_the_pe_signature_at_e_lfanew()
    {
        byte[] pe = new byte[256];
        pe[0] = (byte)'M';
        pe[1] = (byte)'Z';
        BinaryPrimitives.WriteInt32LittleEndian(pe.AsSpan(0x3C), 0x80);
        Encoding.ASCII.GetBytes("PE\0\0").CopyTo(pe, 0x80);
        Assert.Equal("PE", Detect(pe));

        pe[0x80] = (byte)'X';
        Assert.NotEqual("PE", Detect(pe));
    }

    [Fact]
    public void Tflite_by_file_identifier()
    {
        byte[] data = Bytes(0x1C, 0, 0, 0, (byte)'T', (byte)'F', (byte)'L', (byte)'3');
        Assert.Equal("TFLite", Detect(data));
    }

    [Fact]
    public void SafeTensors_by_header_length_and_json()
    {
        byte[] header = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        byte[] data = new byte[8 + header.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(data, (ulong)header.Length);
        header.CopyTo(data, 8);
        Assert.Equal("SafeTensors", Detect(data, "model.bin"));
    }

    [Fact]
    public void Onnx_and_other_protobuf_by_structure()
    {
        // ir_version = 8, producer_name = "pytorch", graph = { node { op_type = "Relu" } } — field numbers of onnx.proto.
        var onnx = new List<byte> { 0x08, 0x08, 0x12, 0x07 };
        onnx.AddRange(Encoding.ASCII.GetBytes("pytorch"));
        onnx.AddRange(new byte[] { 0x3A, 0x08, 0x0A, 0x06, 0x22, 0x04, (byte)'R', (byte)'e', (byte)'l', (byte)'u' });
        Assert.Equal("Onnx", Detect(onnx.ToArray()));

        // A TensorFlow GraphDef: repeated node (field 1: name = 1, op = 2) then versions (field 4).
        var graph = new List<byte>();
        for (int i = 0; i < 8; i++)
        {
            graph.AddRange(new byte[] { 0x0A, 0x06, 0x0A, 0x01, (byte)'a', 0x12, 0x01, (byte)'b' });
        }

        graph.AddRange(new byte[] { 0x22, 0x02, 0x08, 0x1A });
        Assert.Equal("TensorFlowGraphDef", Detect(graph.ToArray()));
    }

    [Theory]
    [InlineData("{\"architectures\": [\"BertModel\"]}", "Json")]
    [InlineData("  [1, 2, 3]", "Json")]
    [InlineData("---\nname: model\n", "Yaml")]
    [InlineData("hello world\n", "Text")]
    public void Text_formats(string text, string expected) => Assert.Equal(expected, Detect(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Git_lfs_pointer()
    {
        string pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + new string('a', 64) + "\nsize 1234\n";
        Assert.Equal("GitLfsPointer", Detect(Encoding.ASCII.GetBytes(pointer)));
    }

    [Fact]
    public void Empty_and_random_bytes()
    {
        Assert.Equal("Empty", Detect(Array.Empty<byte>()));
        var random = new Random(1234);
        byte[] noise = new byte[8192];
        random.NextBytes(noise);
        noise[0] = 0x00;
        Assert.Equal("Unknown", Detect(noise));
    }

    [Fact]
    public void Pickle_named_safetensors_is_still_a_pickle_and_code_behind_a_data_name_is_a_warning()
    {
        ModelScanResult result = Scan.File(Scan.Fixture("malicious/os_system_named.safetensors"));
        Assert.Equal("Pickle", result.Format);
        Assert.True(result.Has("MA6004", Severity.Warning), result.Describe());
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Data_that_no_loader_executes_is_recognised()
    {
        Assert.Equal("SentencePiece", Detect(File.ReadAllBytes(Scan.Fixture("benign/tokenizer.model")), "tokenizer.model"));
        Assert.Equal("Media", Detect(File.ReadAllBytes(Scan.Fixture("benign/figure.png"))));
        Assert.Equal("Media", Detect(Encoding.ASCII.GetBytes("%PDF-1.7\n%binary\n")));
    }

    [Fact]
    public void Eight_printable_characters_before_a_brace_are_text_not_safetensors()
    {
        byte[] text = Encoding.ASCII.GetBytes("settings{\"a\": 1}\n");
        Assert.NotEqual("SafeTensors", Detect(text));
    }

    [Fact]
    public void A_text_pth_with_import_lines_is_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Encoding.UTF8.GetBytes("/opt/lib\nimport os; os.system('id')\n"), "model.pth");
        Assert.True(result.Has("MA6005", Severity.Warning), result.Describe());
        ModelScanResult plain = Scan.Bytes(Encoding.UTF8.GetBytes("/opt/lib\n"), "paths.pth");
        Assert.False(plain.Has("MA6005"), plain.Describe());
        Assert.DoesNotContain(plain.Findings, f => f.Severity >= Severity.Warning);
    }
}
