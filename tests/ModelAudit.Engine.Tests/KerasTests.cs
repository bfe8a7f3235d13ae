using System.Text;
using System.Text.Json.Nodes;
using ModelAudit.Engine.Formats.Keras;
using static ModelAudit.Engine.Tests.KerasBuilder;

namespace ModelAudit.Engine.Tests;

/// <summary>Keras in every form: v3 .keras archives, legacy H5, model.to_json() files and keras_metadata.pb.</summary>
public sealed class KerasTests
{
    [Fact]
    public void Benign_keras3_archive_scans_clean()
    {
        ModelScanResult result = Scan.Bytes(KerasArchive(Keras3Config()), "model.keras");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Equal("Keras", result.Format);
    }

    [Fact]
    public void Benign_legacy_h5_scans_clean_as_keras_h5()
    {
        ModelScanResult result = Scan.Bytes(LegacyH5(Keras2Config(), trainingConfig: """{"loss": "mse", "metrics": null, "optimizer_config": {"class_name": "Adam", "config": {"learning_rate": 0.001}}}"""), "model.h5");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Equal("KerasH5", result.Format);
    }

    [Fact]
    public void Weights_only_h5_scans_clean_as_hdf5()
    {
        ModelScanResult result = Scan.Bytes(WeightsH5(), "model.weights.h5");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Equal("Hdf5", result.Format);
    }

    [Fact]
    public void Benign_to_json_file_scans_clean_as_keras_json()
    {
        ModelScanResult result = Scan.Bytes(Bytes(Keras2Config()), "model.json");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Equal("KerasJson", result.Format);
    }

    [Theory]
    [InlineData("benign")]
    [InlineData("benign_tf")]
    public void A_harmless_lambda_is_still_a_warning(string lambda)
    {
        ModelScanResult result = Scan.Bytes(LegacyH5(WithLayer(Keras2Config(), Keras2Lambda(lambda))), "model.h5");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1121");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal(new[] { "CVE-2024-3660" }, finding.Cve); // keras 2.12 < 2.13; not in the 3.x H5 range
        Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA1120");
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Theory]
    [InlineData("os_system", "__import__")]
    [InlineData("os_system", "system")]
    [InlineData("exec", "exec")]
    [InlineData("nested", "subprocess")]
    public void A_lambda_naming_dangerous_code_is_critical(string lambda, string name)
    {
        ModelScanResult result = Scan.Bytes(KerasArchive(WithLayer(Keras3Config(), Keras3Lambda(lambda))), "model.keras");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1120");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Contains(name, finding.Evidence!.Split(','));
        Assert.Equal("config.json", finding.Member);
        Assert.Empty(finding.Cve); // keras 3.3.3 .keras: neither the 2.x nor the H5 CVE
    }

    [Theory]
    [InlineData("3.5.0", new[] { "CVE-2025-9905" })]
    [InlineData("3.11.3", new string[0])]
    [InlineData("2.11.0", new[] { "CVE-2024-3660" })]
    [InlineData(null, new[] { "CVE-2024-3660", "CVE-2025-9905" })]
    public void Lambda_cves_follow_the_recorded_version_in_h5(string? version, string[] cves)
    {
        ModelScanResult result = Scan.Bytes(LegacyH5(WithLayer(Keras2Config(), Keras2Lambda("exec")), version), "model.h5");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1120");
        Assert.Equal(cves, finding.Cve);
    }

    [Fact]
    public void A_lambda_in_a_to_json_file_is_found()
    {
        ModelScanResult result = Scan.Bytes(Bytes(WithLayer(Keras2Config(), Keras2Lambda("os_system"))), "model.json");
        Assert.True(result.Has("MA1120", Severity.Critical), result.Describe());
    }

    [Fact]
    public void A_named_function_lambda_resolving_to_os_system_is_critical()
    {
        JsonObject lambda = Keras2Lambda("benign");
        lambda["config"]!["function"] = "system";
        lambda["config"]!["function_type"] = "function";
        lambda["config"]!["module"] = "os";
        ModelScanResult result = Scan.Bytes(Bytes(WithLayer(Keras2Config(), lambda)), "model.json");
        Assert.True(result.Has("MA1120", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Undecodable_lambda_code_is_a_warning_not_a_crash()
    {
        JsonObject lambda = Keras2Lambda("benign");
        string code = Lambda("benign");
        byte[] raw = Convert.FromBase64String(code.Replace("\n", ""));
        lambda["config"]!["function"] = new JsonArray(Convert.ToBase64String(raw[..40]), null, null); // truncated code object
        ModelScanResult result = Scan.Bytes(Bytes(WithLayer(Keras2Config(), lambda)), "model.json");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1121");
        Assert.Contains("malformed", finding.Message);
    }

    [Theory]
    [InlineData("os", "function", "system")]
    [InlineData("builtins", "function", "exec")]
    [InlineData("subprocess", "Popen", null)]
    public void A_config_module_resolving_to_a_dangerous_callable_is_critical(string module, string className, string? function)
    {
        var node = new JsonObject { ["module"] = module, ["class_name"] = className, ["config"] = function, ["registered_name"] = null };
        JsonObject config = Keras3Config();
        config["compile_config"]!["loss"] = node;
        ModelScanResult result = Scan.Bytes(KerasArchive(config, version: "3.8.0"), "model.keras");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1122");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(new[] { "CVE-2025-1550" }, finding.Cve);

        ModelScanResult fixedVersion = Scan.Bytes(KerasArchive(config, version: "3.9.0"), "model.keras");
        Assert.Empty(Assert.Single(fixedVersion.Findings, f => f.RuleId == "MA1122").Cve);
    }

    [Fact]
    public void A_custom_layer_module_is_a_warning()
    {
        var layer = new JsonObject
        {
            ["module"] = "my_project.layers", ["class_name"] = "Scaler", ["config"] = new JsonObject { ["name"] = "scaler" },
            ["registered_name"] = "my_project>Scaler",
        };
        ModelScanResult result = Scan.Bytes(KerasArchive(WithLayer(Keras3Config(), layer), version: "3.10.0"), "model.keras");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA3040");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal("my_project.layers.Scaler", finding.Evidence);
    }

    [Fact]
    public void Get_file_in_a_config_is_critical()
    {
        var node = new JsonObject
        {
            ["module"] = "keras.utils", ["class_name"] = "function", ["config"] = "get_file", ["registered_name"] = null,
        };
        JsonObject config = Keras3Config();
        config["compile_config"]!["loss"] = node;
        ModelScanResult result = Scan.Bytes(KerasArchive(config, version: "3.10.0"), "model.keras");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1124");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(new[] { "CVE-2025-8747" }, finding.Cve);
    }

    [Fact]
    public void Enable_unsafe_deserialization_is_critical()
    {
        var node = new JsonObject
        {
            ["module"] = "keras.config", ["class_name"] = "function", ["config"] = "enable_unsafe_deserialization", ["registered_name"] = null,
        };
        JsonObject config = Keras3Config();
        config["compile_config"]!["metrics"] = new JsonArray(node);
        ModelScanResult result = Scan.Bytes(KerasArchive(config, version: "3.10.0"), "model.keras");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1123");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(new[] { "CVE-2025-9906" }, finding.Cve);
    }

    [Theory]
    [InlineData("3.11.1", "MA1125", Severity.Critical)]
    [InlineData("3.12.0", "MA3041", Severity.Warning)]
    public void Torch_module_wrapper_is_graded_by_version(string version, string rule, Severity severity)
    {
        var layer = new JsonObject
        {
            ["module"] = "keras.layers", ["class_name"] = "TorchModuleWrapper", ["config"] = new JsonObject { ["name"] = "torch_module_wrapper" },
            ["registered_name"] = null,
        };
        ModelScanResult result = Scan.Bytes(KerasArchive(WithLayer(Keras3Config(), layer), version), "model.keras");
        Assert.Equal(severity, Assert.Single(result.Findings, f => f.RuleId == rule).Severity);
    }

    [Fact]
    public void The_version_applies_whichever_member_comes_first()
    {
        JsonObject config = Keras3Config();
        config["compile_config"]!["loss"] = new JsonObject { ["module"] = "os", ["class_name"] = "function", ["config"] = "system" };
        ModelScanResult result = Scan.Bytes(KerasArchive(config, version: "3.9.0", configFirst: true), "model.keras");
        Assert.Empty(Assert.Single(result.Findings, f => f.RuleId == "MA1122").Cve);
    }

    [Fact]
    public void A_tf_op_lambda_writing_files_is_critical()
    {
        var layer = new JsonObject
        {
            ["class_name"] = "TFOpLambda",
            ["config"] = new JsonObject { ["name"] = "tf.io.write_file", ["function"] = "io.write_file" },
        };
        ModelScanResult result = Scan.Bytes(LegacyH5(WithLayer(Keras2Config(), layer)), "model.h5");
        Assert.True(result.Has("MA1122", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Benign_keras_metadata_pb_scans_clean()
    {
        JsonObject model = Keras2Config();
        model["keras_version"] = "2.12.0";
        byte[] pb = SavedMetadata(
            ("_tf_keras_sequential", "root", model),
            ("_tf_keras_layer", "root.layer_with_weights-0", model["config"]!["layers"]![1]!.DeepClone()));
        ModelScanResult result = Scan.Bytes(pb, "keras_metadata.pb");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Equal("KerasMetadata", result.Format);
    }

    [Fact]
    public void A_lambda_in_keras_metadata_pb_is_found()
    {
        JsonObject model = WithLayer(Keras2Config(), Keras2Lambda("os_system"));
        byte[] pb = SavedMetadata(("_tf_keras_sequential", "root", model), ("_tf_keras_layer", "root.layer-1", Keras2Lambda("os_system")));
        ModelScanResult result = Scan.Bytes(pb, "keras_metadata.pb");
        Assert.Equal(Severity.Critical, Assert.Single(result.Findings, f => f.RuleId == "MA1120").Severity);
    }

    [Fact]
    public void Keras_metadata_pb_inside_a_saved_model_tar_is_scanned()
    {
        byte[] pb = SavedMetadata(("_tf_keras_sequential", "root", WithLayer(Keras2Config(), Keras2Lambda("exec"))));
        ModelScanResult result = Scan.Bytes(ArchiveBuilder.Tar(("model/keras_metadata.pb", pb)), "model.tar");
        Assert.True(result.Has("MA1120", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Broken_config_json_in_a_keras_archive_is_inconclusive()
    {
        byte[] zip = ArchiveBuilder.Zip(("metadata.json", Metadata("3.3.3")), ("config.json", "{\"module\": \"keras\", \"class_name\": \"Seq"u8.ToArray()));
        ModelScanResult result = Scan.Bytes(zip, "model.keras");
        Assert.True(result.Has("MA9001"), result.Describe());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    [Fact]
    public void Damaged_hdf5_is_inconclusive_not_clean()
    {
        byte[] h5 = LegacyH5(Keras2Config());
        byte[] damaged = h5[..Math.Min(h5.Length, 200)];
        ModelScanResult result = Scan.Bytes(damaged, "model.h5");
        Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
        Assert.True(result.Has("MA9001") || result.Has("MA9010"), result.Describe());
    }

    [Fact]
    public void Configs_nested_past_the_bound_are_a_parse_error()
    {
        string deep = new string('[', 300) + new string(']', 300);
        byte[] json = Encoding.UTF8.GetBytes("{\"class_name\": \"Sequential\", \"config\": " + deep + "}");
        ModelScanResult result = Scan.Bytes(json, "model.json");
        Assert.True(result.Has("MA9001"), result.Describe());
    }

    [Theory]
    [InlineData("benign")]
    [InlineData("os_system")]
    [InlineData("nested")]
    public void Every_truncation_of_marshalled_code_is_a_format_error_or_unrecognised(string lambda)
    {
        byte[] code = Convert.FromBase64String(Lambda(lambda).Replace("\n", ""));
        Assert.NotNull(ModelAudit.Engine.Formats.Pickle.MarshalCodeReader.Read(code));
        for (int length = 0; length < code.Length; length++)
        {
            try
            {
                ModelAudit.Engine.Formats.Pickle.MarshalCodeReader.Read(code[..length]);
            }
            catch (ModelFormatException)
            {
            }
        }
    }

    [Fact]
    public void Marshalled_code_nested_past_the_bound_is_malformed_not_a_crash()
    {
        byte[] code = Convert.FromBase64String(Lambda("benign").Replace("\n", ""));
        int consts = 21 + 5 + BitConverter.ToInt32(code, 22); // 3.11 layout: co_code bytes, then co_consts
        byte[] deep = code[..consts].Concat(Enumerable.Repeat((byte)')', 2000).SelectMany(b => new byte[] { b, 1 })).ToArray();
        JsonObject layer = Keras2Lambda("benign");
        layer["config"]!["function"] = new JsonArray(Convert.ToBase64String(deep), null, null);
        ModelScanResult result = Scan.Bytes(Bytes(WithLayer(Keras2Config(), layer)), "model.json");
        Assert.Contains("malformed", Assert.Single(result.Findings, f => f.RuleId == "MA1121").Message);
    }

    [Theory]
    [InlineData("2.12.0", 2, 12, 0)]
    [InlineData("3.11.0.dev2025061903", 3, 11, 0)]
    [InlineData("2.4.0-tf", 2, 4, 0)]
    [InlineData("3.9", 3, 9, 0)]
    public void Keras_versions_parse(string text, int major, int minor, int patch) =>
        Assert.Equal(new KerasVersion(major, minor, patch), KerasVersion.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("keras")]
    [InlineData("3")]
    [InlineData("99999999999.1")]
    public void Non_versions_are_unknown(string text) => Assert.Null(KerasVersion.Parse(text));
}
