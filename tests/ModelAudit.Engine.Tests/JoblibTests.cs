using System.IO.Compression;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Legacy joblib (≤ 0.9) files: Z-files ('ZF', a hex length, zlib) and the companion '_NN.npy' files
/// their pickles name, built here byte for byte as joblib's write_zfile and NDArrayWrapper pickling lay them out.</summary>
public sealed class JoblibTests : IDisposable
{
    private static readonly byte[] s_payload = PickleBuilder.Gadget("os", "system", "echo hi");
    private static readonly byte[] s_benign = new PickleBuilder().Proto(2).EmptyDict().Str("coef").Int(3).SetItem().Stop().ToArray();
    private readonly string _folder = Directory.CreateTempSubdirectory("joblib-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static byte[] Zfile(byte[] pickle, long? declared = null, bool python2Space = false) =>
        JoblibZfileBuilder.Zfile(pickle, declared, python2Space);

    /// <summary>A joblib 0.9 pickle of one array kept in a companion file: NEWOBJ of the wrapper, BUILD with
    /// {'filename': …, 'subclass': numpy.ndarray, 'allow_mmap': True}.</summary>
    private static byte[] WrapperPickle(string filename, string wrapper = "NDArrayWrapper", string module = "joblib.numpy_pickle")
    {
        return new PickleBuilder().Proto(2)
            .Global(module, wrapper).EmptyTuple().NewObj()
            .EmptyDict()
            .Str("filename").Str(filename).SetItem()
            .Str("subclass").Global("numpy", "ndarray").SetItem()
            .Str("allow_mmap").Op(0x88).SetItem()
            .Build().Stop().ToArray();
    }

    private static byte[] Npy()
    {
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }".PadRight(117) + "\n";
        var file = new MemoryStream();
        file.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)dict.Length, 0 });
        file.Write(Encoding.Latin1.GetBytes(dict));
        file.Write(new byte[8]);
        return file.ToArray();
    }

    private string Write(string name, byte[] data)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, data);
        return path;
    }

    [Fact]
    public void A_benign_zfile_is_clean()
    {
        ModelScanResult result = Scan.Bytes(Zfile(s_benign), "model.pkl");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Equal("JoblibZfile", result.Format);
        Assert.Empty(result.Findings);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // Python 2 joblib ≤ 0.8.4 wrote the field one character wider
    public void The_payload_of_a_zfile_is_found(bool python2Space)
    {
        ModelScanResult result = Scan.Bytes(Zfile(s_payload, python2Space: python2Space), "model.pkl");
        ModelFinding f = Assert.Single(result.Findings, f => f.RuleId == "MA1001");
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Equal("model.pkl", f.Member);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void A_zfile_inside_a_compressed_stream_is_read_too()
    {
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(Zfile(s_payload));
        }

        ModelScanResult result = Scan.Bytes(gz.ToArray(), "model.pkl.gz");
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    [Fact]
    public void A_declared_length_that_disagrees_is_reported_and_the_pickle_still_scanned()
    {
        ModelScanResult result = Scan.Bytes(Zfile(s_payload, declared: 5), "model.pkl");
        Assert.True(result.Has("MA6360", Severity.Info), result.Describe());
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
        Assert.False(Scan.Bytes(Zfile(s_payload), "model.pkl").Has("MA6360"));
    }

    [Theory]
    [InlineData("ZF0x1g               ")]
    [InlineData("ZF__12               ")]
    [InlineData("ZF                   ")]
    public void A_length_field_joblib_rejects_is_not_a_zfile_and_never_clean(string header)
    {
        byte[] file = Encoding.ASCII.GetBytes(header).Concat(Zfile(s_payload)[21..]).ToArray();
        ModelScanResult result = Scan.Bytes(file, "model.pkl");
        Assert.NotEqual("JoblibZfile", result.Format);
        Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void A_corrupt_zlib_stream_is_inconclusive()
    {
        byte[] file = Zfile(s_benign);
        file[^6] ^= 0xFF;
        file[^8] ^= 0xFF;
        ModelScanResult result = Scan.Bytes(file, "model.pkl");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9001"), result.Describe());
    }

    [Fact]
    public void A_companion_array_beside_the_pickle_is_scanned_with_it_and_clean()
    {
        Write("model.pkl_01.npy", Npy());
        ModelScanResult result = Scan.File(Write("model.pkl", WrapperPickle("model.pkl_01.npy")));
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_companion_that_is_a_pickle_is_what_numpy_load_unpickles_and_is_attributed_to_the_main_file()
    {
        Write("model.pkl_01.npy", s_payload);
        ModelScanResult result = Scan.File(Write("model.pkl", Zfile(WrapperPickle("model.pkl_01.npy"))));
        ModelFinding f = Assert.Single(result.Findings, f => f.RuleId == "MA1001");
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Equal("model.pkl!model.pkl_01.npy", f.Member);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void A_missing_companion_is_a_warning()
    {
        ModelScanResult result = Scan.File(Write("model.pkl", WrapperPickle("model.pkl_01.npy")));
        Assert.True(result.Has("MA6361", Severity.Warning), result.Describe());
    }

    [Theory]
    [InlineData("../elsewhere.npy")]
    [InlineData("/tmp/planted.npy")]
    [InlineData("a/../../x.npy")]
    public void A_companion_outside_the_folder_is_reported_and_never_opened(string name)
    {
        ModelScanResult result = Scan.File(Write("model.pkl", WrapperPickle(name, "ZNDArrayWrapper", "joblib.numpy_pickle_compat")));
        Assert.True(result.Has("MA1180", Severity.Warning), result.Describe());
        Assert.False(result.Has("MA6361"), result.Describe());
    }

    [Fact]
    public void Companions_of_an_archive_member_cannot_be_found_and_say_so()
    {
        byte[] zip = ArchiveBuilder.Zip(("model.pkl", WrapperPickle("model.pkl_01.npy")), ("model.pkl_01.npy", Npy()));
        ModelScanResult result = Scan.Bytes(zip, "bundle.zip");
        Assert.True(result.Has("MA6362", Severity.Info), result.Describe());
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }
}
