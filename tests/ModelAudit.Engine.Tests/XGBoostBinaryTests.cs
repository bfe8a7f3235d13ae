using System.Buffers.Binary;

namespace ModelAudit.Engine.Tests;

/// <summary>XGBoost's legacy binary models, written by XGBoost 1.7 itself (tests/fixtures/generate_xgboost.py), and
/// the malformed variants each bound of the reader answers for.</summary>
public sealed class XGBoostBinaryTests
{
    // "binf" + LearnerModelParam (136) + "binary:logistic" and "gbtree" with their uint64 lengths.
    private const int GbTreeParam = 4 + 136 + 8 + 15 + 8 + 6;
    private const int FirstTreeParam = GbTreeParam + 160;
    private const int FirstNode = FirstTreeParam + 148;

    private static byte[] Fixture(string name) => File.ReadAllBytes(Scan.Fixture("benign/" + name));

    [Theory]
    [InlineData("xgboost_legacy_gbtree.model")]
    [InlineData("xgboost_legacy_dart.model")]
    [InlineData("xgboost_legacy_gblinear.model")]
    [InlineData("xgboost_legacy_sklearn.bin")]
    public void Models_XGBoost_writes_are_read_to_their_end_and_clean(string name)
    {
        ModelScanResult result = Scan.Bytes(Fixture(name), name);
        Assert.True(result.Outcome == ScanOutcome.Clean && result.Format == "XGBoostBinary", result.Describe());
    }

    [Fact]
    public void A_model_without_the_binf_header_as_before_0_90_is_read_too()
    {
        ModelScanResult result = Scan.Bytes(Fixture("xgboost_legacy_gbtree.model")[4..], "model.bin");
        Assert.True(result.Outcome == ScanOutcome.Clean && result.Format == "XGBoostBinary", result.Describe());
    }

    [Fact]
    public void A_pickle_in_an_attribute_is_scanned()
    {
        ModelScanResult result = Scan.File(Scan.Fixture("malicious/xgboost_legacy_pickled_attribute.model"));
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == "learner.attributes.callback");
    }

    [Fact]
    public void Every_truncation_is_inconclusive_never_clean()
    {
        byte[] model = Fixture("xgboost_legacy_gbtree.model");
        foreach (int length in new[] { 100, GbTreeParam + 10, FirstNode + 7, model.Length - 30, model.Length - 1 })
        {
            ModelScanResult result = Scan.Bytes(model[..length], "model.model");
            // Cut before the names, the bytes are no format we can name (MA9004); after them, a parse error (MA9001).
            Assert.True(result.Outcome == ScanOutcome.Inconclusive && result.Has(length < GbTreeParam ? "MA9004" : "MA9001"), $"{length}: {result.Describe()}");
        }
    }

    [Theory]
    [InlineData(GbTreeParam, int.MaxValue)]      // trees
    [InlineData(GbTreeParam, -1)]
    [InlineData(FirstTreeParam + 4, 1 << 30)]    // nodes of the first tree
    [InlineData(FirstTreeParam + 4, 0)]
    public void A_count_the_file_cannot_hold_is_a_parse_error_not_an_allocation(int offset, int value)
    {
        byte[] model = Fixture("xgboost_legacy_gbtree.model");
        BinaryPrimitives.WriteInt32LittleEndian(model.AsSpan(offset), value);
        ModelScanResult result = Scan.Bytes(model, "model.model");
        Assert.True(result.Outcome == ScanOutcome.Inconclusive && result.Has("MA9001"), result.Describe());
    }

    [Fact]
    public void A_child_outside_its_tree_is_a_structure_warning()
    {
        byte[] model = Fixture("xgboost_legacy_gbtree.model");
        BinaryPrimitives.WriteInt32LittleEndian(model.AsSpan(FirstNode + 4), 5000); // node 0's left child
        ModelScanResult result = Scan.Bytes(model, "model.model");
        Assert.True(result.Has("MA6174", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_bad_child_does_not_stop_the_reader_before_the_attributes()
    {
        // The payload model with a broken first tree: its pickled attribute is still found.
        byte[] model = File.ReadAllBytes(Scan.Fixture("malicious/xgboost_legacy_pickled_attribute.model"));
        BinaryPrimitives.WriteInt32LittleEndian(model.AsSpan(FirstNode + 4), 5000);
        ModelScanResult result = Scan.Bytes(model, "model.model");
        Assert.True(result.Has("MA6174") && result.Has("MA1001", Severity.Critical), result.Describe());
    }

    [Fact]
    public void A_booster_XGBoost_does_not_know_is_a_parse_error()
    {
        byte[] model = Fixture("xgboost_legacy_gbtree.model");
        "gbxxxx"u8.CopyTo(model.AsSpan(GbTreeParam - 6));
        ModelScanResult result = Scan.Bytes(model, "model.model");
        Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
    }
}
