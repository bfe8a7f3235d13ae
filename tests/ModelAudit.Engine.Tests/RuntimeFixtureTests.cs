namespace ModelAudit.Engine.Tests;

/// <summary>The committed runtime and tree-model fixtures (tests/fixtures/generate_runtime.py) are detected as
/// what they are and scan Clean, not Inconclusive.</summary>
public sealed class RuntimeFixtureTests
{
    [Theory]
    [InlineData("runtime_tiny.tflite", "TFLite")]
    [InlineData("runtime_catboost.cbm", "CatBoost")]
    [InlineData("runtime_flax_model.msgpack", "FlaxMsgpack")]
    [InlineData("runtime_xgboost.json", "XGBoostJson")]
    [InlineData("runtime_lightgbm.txt", "LightGBM")]
    [InlineData("runtime_tree.pmml", "PMML")]
    [InlineData("runtime_openvino.xml", "OpenVINO")]
    public void Each_fixture_is_its_format_and_clean(string name, string format)
    {
        ModelScanResult result = Scan.File(Scan.Fixture("benign/" + name));
        Assert.Equal(format, result.Format);
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Empty(result.Findings);
    }
}
