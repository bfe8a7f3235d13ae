using System.Buffers.Binary;
using System.Text;
using ModelAudit.Engine.Formats.NumPy;

namespace ModelAudit.Engine.Tests;

/// <summary>NumPy .npy headers read as numpy reads them (ast.literal_eval): every known way of hiding an object dtype
/// from a regex is seen, in .npy and inside .npz; numeric data must be exactly shape × item size.</summary>
public sealed class NumPyTests
{
    private static readonly byte[] s_payload = new PickleBuilder().Proto(2).Global("os", "system").Str("echo hi").Tuple1().Reduce().Stop().ToArray();

    /// <summary>A .npy file as numpy.lib.format writes it: magic, version, header length, the dict padded with spaces
    /// to a multiple of 64 and ended by a newline, then the data.</summary>
    private static byte[] Npy(string dict, byte[] data, int major = 1)
    {
        int preamble = major == 1 ? 10 : 12;
        int padded = (preamble + Encoding.UTF8.GetByteCount(dict) + 1 + 63) / 64 * 64 - preamble;
        byte[] header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(dict.PadRight(padded - 1) + "\n");
        var file = new MemoryStream();
        file.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0 });
        byte[] length = new byte[major == 1 ? 2 : 4];
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length); else BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
        file.Write(length);
        file.Write(header);
        file.Write(data);
        return file.ToArray();
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24, 1)]
    [InlineData("{'descr': '<i8', 'fortran_order': True, 'shape': (3,), }", 24, 2)]
    [InlineData("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", 24, 3)]
    [InlineData("{'descr': '|b1', 'fortran_order': False, 'shape': (), }", 1, 1)]
    [InlineData("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (0,), }", 0, 1)]
    [InlineData("{'descr': [('a', '<i4'), ('b', '<f8', (2,)), ('', '|V4')], 'fortran_order': False, 'shape': (2,), }", 48, 1)]
    [InlineData("{'descr': [('x', [('y', '<u2'), ('z', '|u1')])], 'fortran_order': False, 'shape': (4,), }", 12, 1)]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 2L), }", 32, 1)] // Python 2 numpy
    [InlineData("{'descr': 'g', 'fortran_order': False, 'shape': (2,), }", 32, 1)] // long double: 16 bytes on x86-64
    [InlineData("{'descr': 'G', 'fortran_order': False, 'shape': (1,), }", 32, 1)] // complex long double
    [InlineData("{'descr': 'l', 'fortran_order': False, 'shape': (3,), }", 24, 1)] // C long on LP64
    public void Arrays_as_numpy_writes_them_are_clean(string dict, int dataLength, int major)
    {
        ModelScanResult result = Scan.Bytes(Npy(dict, new byte[dataLength], major), "a.npy");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    // Each spelling literal_eval reads as an object dtype; the data is a pickle that np.load(allow_pickle=True) runs.
    [Theory]
    [InlineData("{'descr': '<f4', 'descr': '|O', 'fortran_order': False, 'shape': (1,), }", true)]
    [InlineData("{'descr': '\\x7cO', 'fortran_order': False, 'shape': (1,), }", true)]
    [InlineData("{'descr': '|' 'O', 'fortran_order': False, 'shape': (1,), }", true)]
    [InlineData("{'descr': u'|O', 'fortran_order': False, 'shape': (1,), }", true)]
    [InlineData("{'descr': '''|O''', 'fortran_order': False, 'shape': (1,), }", false)]
    [InlineData("{'descr': '\\174\\117', 'fortran_order': False, 'shape': (1,), }", true)]
    [InlineData("{'descr': ('|O', (2,)), 'fortran_order': False, 'shape': (1,), }", false)]
    [InlineData("{'descr': [('a', '<i4'), ('b', '|O')], 'fortran_order': False, 'shape': (1,), }", false)]
    [InlineData("{'descr': 'i4,O', 'fortran_order': False, 'shape': (1,), }", false)]
    [InlineData("{'descr': 'object', 'fortran_order': False, 'shape': (1,), }", false)]
    [InlineData("{'descr': # comment\n '|O', 'fortran_order': False, 'shape': (1,), }", false)]
    [InlineData("{\"descr\": \"|O\", \"fortran_order\": False, \"shape\": (1,)}", false)]
    public void Every_spelling_of_an_object_dtype_is_seen(string dict, bool crafted)
    {
        ModelScanResult result = Scan.Bytes(Npy(dict, s_payload), "a.npy");
        Assert.True(result.Has("MA1016", Severity.Info), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Severity == Severity.Critical);
        Assert.Equal(crafted, result.Has("MA6230", Severity.Warning));
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void A_repeated_descr_counts_by_its_last_value()
    {
        ModelScanResult result = Scan.Bytes(Npy("{'descr': '|O', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]), "a.npy");
        Assert.False(result.Has("MA1016"), result.Describe());
        Assert.True(result.Has("MA6230", Severity.Warning), result.Describe());
    }

    [Fact]
    public void The_bypasses_inside_an_npz_are_seen()
    {
        byte[] npz = ArchiveBuilder.Zip(
            ("a.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4])),
            ("b.npy", Npy("{'descr': '<f4', 'descr': '|O', 'fortran_order': False, 'shape': (1,), }", s_payload)),
            ("c.npy", Npy("{'descr': '|' 'O', 'fortran_order': False, 'shape': (1,), }", s_payload)));
        ModelScanResult result = Scan.Bytes(npz, "arrays.npz");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member!.StartsWith("b.npy", StringComparison.Ordinal));
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member!.StartsWith("c.npy", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Findings, f => f.Member == "a.npy");
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 23, ScanOutcome.Inconclusive, "MA9001")]
    [InlineData("{'descr': [('a', '<i4'), ('b', '<f8')], 'fortran_order': False, 'shape': (2,), }", 20, ScanOutcome.Inconclusive, "MA9001")]
    [InlineData("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", 20, ScanOutcome.Clean, "MA6018")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", 4, ScanOutcome.Inconclusive, "MA9001")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", 4, ScanOutcome.Inconclusive, "MA9001")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': [1], }", 4, ScanOutcome.Inconclusive, "MA9001")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 4, ScanOutcome.Inconclusive, "MA9001")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), ", 4, ScanOutcome.Inconclusive, "MA9001")]
    [InlineData("{'descr': '<q9', 'fortran_order': False, 'shape': (1,), }", 4, ScanOutcome.Inconclusive, "MA9001")]
    public void The_data_length_must_be_shape_times_item_size(string dict, int dataLength, ScanOutcome outcome, string rule)
    {
        ModelScanResult result = Scan.Bytes(Npy(dict, new byte[dataLength]), "a.npy");
        Assert.Equal(outcome, result.Outcome);
        Assert.True(result.Has(rule), result.Describe());
    }

    [Fact]
    public void A_shape_of_huge_dimensions_is_truncated_data_not_an_overflow()
    {
        ModelScanResult result = Scan.Bytes(Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999, 99999999999999999999), }", new byte[8]), "a.npy");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9001"), result.Describe());
    }

    [Theory]
    [InlineData("{'a': 1, 'a': 2}", "a", "2")]
    [InlineData("{'s': 'x' \"y\" '''z'''}", "s", "xyz")]
    [InlineData("{'s': r'\\x41' '\\x41' '\\u00e9' '\\N{LATIN SMALL LETTER E}'}", "s", "\\x41Aé\uFFFD")]
    [InlineData("{'s': b'\\x7c' B'O'}", "s", "|O")]
    [InlineData("{'n': 0x_1F}", "n", "31")]
    [InlineData("{'n': -1_000}", "n", "-1000")]
    [InlineData("{'n': (1, 2.5e3, 1+2j, None, True, ..., {1, 2}, [])}", "n", "Tuple")]
    public void The_literal_parser_reads_what_literal_eval_reads(string text, string key, string expected)
    {
        PyLiteral dict = PythonLiteralParser.Parse(text);
        PyLiteral value = dict.Entries.Last(e => e.Key.Text == key).Value;
        string shown = value.Kind switch
        {
            PyLiteralKind.Str or PyLiteralKind.Bytes => value.Text,
            PyLiteralKind.Int => value.Integer.ToString(),
            _ => value.Kind.ToString(),
        };
        Assert.Equal(expected, shown);
    }

    [Theory]
    [InlineData("{'a': 1")]
    [InlineData("{'a': 010}")]
    [InlineData("{'a': 'x' b'y'}")]
    [InlineData("{'a': f'x'}")]
    [InlineData("{'a': os.system}")]
    [InlineData("{'a': 1} 2")]
    [InlineData("{'a': 'unterminated}")]
    [InlineData("{'a': 1 + 2}")]
    public void The_literal_parser_rejects_what_literal_eval_rejects(string text)
    {
        Assert.Throws<ModelFormatException>(() => PythonLiteralParser.Parse(text));
    }

    [Fact]
    public void Deep_nesting_is_rejected_not_a_stack_overflow()
    {
        string text = "{'a': " + new string('[', 100_000) + new string(']', 100_000) + "}";
        Assert.Throws<ModelFormatException>(() => PythonLiteralParser.Parse(text));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_header_longer_than_the_file_is_truncated_and_never_allocated(bool compressed)
    {
        // A version-2 preamble declaring a 100 MiB header (the limit) over a few bytes of dict.
        byte[] npy = Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4], major: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(npy.AsSpan(8), 100u << 20);
        byte[] file = compressed ? Gzip(npy) : npy;

        long before = GC.GetAllocatedBytesForCurrentThread();
        ModelScanResult result = Scan.Bytes(file, compressed ? "a.npy.gz" : "a.npy");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(result.Has("MA9001"), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA9001" && f.Message.Contains("truncated", StringComparison.Ordinal));
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        // The claim is 100 MiB; what the scan may spend is the chunk it reads before the stream ends, plus the engine.
        Assert.True(allocated < 24L << 20, $"{allocated:N0} bytes allocated");
    }

    private static byte[] Gzip(byte[] data)
    {
        var buffer = new MemoryStream();
        using (var z = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(data);
        }

        return buffer.ToArray();
    }
}
