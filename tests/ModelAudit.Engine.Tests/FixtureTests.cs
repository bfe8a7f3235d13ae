namespace ModelAudit.Engine.Tests;

/// <summary>
/// Files written by the real libraries (tests/fixtures/generate.py: CPython, NumPy, SciPy, scikit-learn, joblib,
/// PyTorch) must scan with nothing above Info; the harmless-payload malicious ones must give their findings.
/// </summary>
public sealed class FixtureTests
{
    public static TheoryData<string> BenignFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(Scan.Fixture("benign")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BenignFiles))]
    public void Benign_library_output_scans_clean(string name)
    {
        ModelScanResult result = Scan.File(Scan.Fixture("benign/" + name));
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.DoesNotContain(result.Findings, f => f.Severity > Severity.Info);
        Assert.NotEqual("Unknown", result.Format);
    }

    [Fact]
    public void There_are_enough_benign_fixtures() => Assert.True(Directory.GetFiles(Scan.Fixture("benign")).Length >= 80);

    [Theory]
    [InlineData("os_system_p0.pkl", "MA1001", "Pickle")]
    [InlineData("os_system_p2.pkl", "MA1001", "Pickle")]
    [InlineData("os_system_p4.pkl", "MA1001", "Pickle")]
    [InlineData("os_system_named.safetensors", "MA1001", "Pickle")]
    [InlineData("torch_zip_os_system.pt", "MA1001", "PyTorchZip")]
    [InlineData("torch_legacy_os_system.pt", "MA1001", "PyTorchLegacy")]
    [InlineData("joblib_payload_after_array.joblib", "MA1001", "Joblib")]
    [InlineData("pytables_pickled_attribute.h5", "MA1001", "Hdf5")]
    [InlineData("xgboost_legacy_pickled_attribute.model", "MA1001", "XGBoostBinary")]
    [InlineData("pandas_hdfstore_pickled_key_attribute.h5", "MA1001", "Hdf5")]
    [InlineData("hdf5_latest_pickled_dataset_attribute.h5", "MA1001", "Hdf5")]
    [InlineData("hdf5_dense_attribute_pickle.h5", "MA1001", "Hdf5")]
    [InlineData("joblib_payload_zlib.joblib", "MA1001", "Zlib")]
    [InlineData("numpy_object_array.npy", "MA1001", "NumPy")]
    [InlineData("numpy_object_array.npz", "MA1001", "NumPyZip")]
    [InlineData("numpy_duplicate_descr.npy", "MA1001", "NumPy")]
    [InlineData("numpy_duplicate_descr.npy", "MA6230", "NumPy")]
    [InlineData("numpy_escaped_descr.npy", "MA1001", "NumPy")]
    [InlineData("numpy_escaped_descr.npy", "MA6230", "NumPy")]
    [InlineData("numpy_concatenated_descr.npy", "MA1001", "NumPy")]
    [InlineData("numpy_concatenated_descr.npy", "MA6230", "NumPy")]
    [InlineData("marshal_code.pkl", "MA1004", "Pickle")]
    [InlineData("marshal_code.pkl", "MA1017", "Pickle")]
    [InlineData("nested_pickle_loads.pkl", "MA1003", "Pickle")]
    [InlineData("nested_pickle_loads.pkl", "MA1021", "Pickle")]
    [InlineData("base64_text_in_pickle.pkl", "MA1013", "Pickle")]
    [InlineData("os_system.pkl.gz", "MA1001", "Gzip")]
    [InlineData("polyglot_pickle_zip.pkl", "MA2008", "Pickle")]
    [InlineData("os_system.pkl.lz4", "MA1001", "Lz4")]
    [InlineData("torch_load_from_bytes_payload.pkl", "MA1001", "Pickle")]
    [InlineData("dill_lambda.pkl", "MA1004", "Pickle")]
    [InlineData("cloudpickle_function.pkl", "MA1004", "Pickle")]
    [InlineData("torch_zip_os_system.7z", "MA1001", "SevenZip")]
    public void Malicious_fixture_gives_its_finding(string name, string ruleId, string format)
    {
        ModelScanResult result = Scan.File(Scan.Fixture("malicious/" + name));
        Assert.True(result.Has(ruleId), result.Describe());
        Assert.Equal(format, result.Format);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void Every_malicious_fixture_is_flagged()
    {
        foreach (string file in Directory.GetFiles(Scan.Fixture("malicious")))
        {
            ModelScanResult result = Scan.File(file);
            Assert.True(result.Findings.Any(f => f.Severity == Severity.Critical), result.Describe());
        }
    }

    [Fact]
    public void The_nested_payload_in_base64_is_scanned_as_a_member()
    {
        ModelScanResult result = Scan.File(Scan.Fixture("malicious/base64_text_in_pickle.pkl"));
        ModelFinding inner = Assert.Single(result.Findings, f => f.RuleId == "MA1001");
        Assert.StartsWith("base64@", inner.Member);
        Assert.Equal("posix.system('echo modelaudit-fixture')", inner.Evidence);
    }

    [Fact]
    public void A_full_model_pickle_names_the_user_class_at_info()
    {
        ModelScanResult result = Scan.File(Scan.Fixture("benign/torch_full_custom_module.pt"));
        ModelFinding info = Assert.Single(result.Findings);
        Assert.Equal("MA1012", info.RuleId);
        Assert.Equal("__main__.TinyNet", info.Evidence);
    }

    [Fact]
    public void TorchScript_is_reported_as_code_bearing_at_info()
    {
        ModelScanResult result = Scan.File(Scan.Fixture("benign/torchscript_tinynet.pt"));
        Assert.Equal("TorchScript", result.Format);
        Assert.True(result.Has("MA1019", Severity.Info));
        Assert.Contains("CVE-2025-32434", result.Findings.Single(f => f.RuleId == "MA1019").Cve);
    }

    [Theory]
    [InlineData("torch_zip_os_system.pt", "CVE-2025-32434")]
    [InlineData("torch_legacy_os_system.pt", "CVE-2025-32434")]
    [InlineData("numpy_object_array.npy", "CVE-2019-6446")]
    [InlineData("joblib_payload_after_array.joblib", "CVE-2020-13092")]
    public void Cves_are_attributed_where_they_apply(string name, string cve)
    {
        ModelScanResult result = Scan.File(Scan.Fixture("malicious/" + name));
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Cve.Contains(cve));
    }

    [Fact]
    public void A_plain_pickle_payload_carries_no_cve()
    {
        ModelScanResult result = Scan.File(Scan.Fixture("malicious/os_system_p4.pkl"));
        Assert.Empty(result.Findings.Single().Cve);
    }
}
