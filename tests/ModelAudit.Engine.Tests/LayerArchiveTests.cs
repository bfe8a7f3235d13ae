using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Archive layouts with a manifest: NeMo (.nemo tar with Hydra configs), skops (.skops zip with schema.json)
/// and TorchServe (.mar zip with MAR-INF/MANIFEST.json).</summary>
public sealed class LayerArchiveTests
{
    // A NeMo ASR config as save_to writes it (OmegaConf.to_yaml), trimmed to its _target_ entries.
    internal const string NemoConfig = """
        sample_rate: 16000
        preprocessor:
          _target_: nemo.collections.asr.modules.AudioToMelSpectrogramPreprocessor
          sample_rate: 16000
          features: 80
        encoder:
          _target_: nemo.collections.asr.modules.ConformerEncoder
          feat_in: 80
          n_layers: 2
        decoder:
          _target_: nemo.collections.asr.modules.ConvASRDecoder
          vocabulary: [a, b, c]
        optim:
          name: adamw
          lr: 0.001
          sched:
            name: CosineAnnealing
        train_ds:
          manifest_filepath: null
          augmentor:
            - _target_: nemo.collections.asr.parts.preprocessing.perturb.SpeedPerturbation
        target: nemo.collections.asr.models.ctc_models.EncDecCTCModel
        nemo_version: 1.23.0
        """;

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s.Replace("\r\n", "\n"));

    internal static byte[] Nemo(string config) =>
        ArchiveBuilder.Tar(("./model_config.yaml", Utf8(config)), ("./vocab.txt", Utf8("a\nb\nc\n")));

    [Fact]
    public void Benign_nemo_archive_scans_clean()
    {
        ModelScanResult result = Scan.Bytes(Nemo(NemoConfig), "asr.nemo");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Equal("Nemo", result.Format);
    }

    [Theory]
    [InlineData("os.system")]
    [InlineData("builtins.exec")]
    [InlineData("subprocess.Popen")]
    public void A_dangerous_hydra_target_is_critical(string target)
    {
        string config = NemoConfig + $"\nevil:\n  _target_: {target}\n  _args_: [\"id\"]\n";
        ModelScanResult result = Scan.Bytes(Nemo(config), "asr.nemo");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1126");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(target, finding.Evidence);
        Assert.Contains("CVE-2025-23304", finding.Cve);
        Assert.Equal("./model_config.yaml", finding.Member);
    }

    [Fact]
    public void A_dangerous_target_inside_a_sequence_is_found()
    {
        string config = NemoConfig + "\ncallbacks:\n  - name: x\n    _target_: os.system\n";
        ModelScanResult result = Scan.Bytes(Nemo(config), "asr.nemo");
        Assert.True(result.Has("MA1126", Severity.Critical), result.Describe());
    }

    [Fact]
    public void A_target_key_is_not_confused_with_a_value()
    {
        // "_target_" as a value and as a list item is not a target; "os.system" as a plain value is not one either.
        string config = NemoConfig + "\nnotes:\n  - _target_\n  - os.system\nlabel: _target_\nother: os.system\n";
        ModelScanResult result = Scan.Bytes(Nemo(config), "asr.nemo");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
    }

    [Fact]
    public void An_unknown_target_is_info_only()
    {
        string config = NemoConfig + "\nextra:\n  _target_: my_lab.models.Custom\n";
        ModelScanResult result = Scan.Bytes(Nemo(config), "asr.nemo");
        Assert.Equal(Severity.Info, Assert.Single(result.Findings, f => f.RuleId == "MA3042").Severity);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void Invalid_yaml_in_a_nemo_archive_is_inconclusive()
    {
        ModelScanResult result = Scan.Bytes(Nemo("a: [unclosed\n  b: {"), "asr.nemo");
        Assert.True(result.Has("MA9001"), result.Describe());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    // skops 0.10 schema.json of a LogisticRegression: ObjectNode, DictNode, JsonNode, NdArrayNode.
    internal const string SkopsSchema = """
        {"__class__": "LogisticRegression", "__module__": "sklearn.linear_model._logistic", "__loader__": "ObjectNode",
         "content": {"__class__": "dict", "__module__": "builtins", "__loader__": "DictNode", "content": {
           "penalty": {"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode", "content": "\"l2\"", "is_json": true},
           "C": {"__class__": "float", "__module__": "builtins", "__loader__": "JsonNode", "content": "1.0", "is_json": true},
           "classes_": {"__class__": "ndarray", "__module__": "numpy", "__loader__": "NdArrayNode", "type": "numpy", "file_name": "a1.npy"},
           "coef_": {"__class__": "ndarray", "__module__": "numpy", "__loader__": "NdArrayNode", "type": "numpy", "file_name": "a2.npy"},
           "_sklearn_version": {"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode", "content": "\"1.5.0\"", "is_json": true}}},
         "protocol": 2, "_skops_version": "0.10.0"}
        """;

    // numpy.save of a float64[2]: magic, version 1.0, header length, the header dict padded to 64 bytes, the data.
    private static byte[] Npy()
    {
        string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
        int padded = (10 + dict.Length + 1 + 63) / 64 * 64 - 10;
        string header = dict.PadRight(padded - 1) + "\n";
        byte[] prefix = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8) };
        return prefix.Concat(Encoding.ASCII.GetBytes(header)).Concat(new byte[16]).ToArray();
    }

    internal static byte[] Skops(string schema) =>
        ArchiveBuilder.Zip(("schema.json", Utf8(schema)), ("a1.npy", Npy()), ("a2.npy", Npy()));

    [Fact]
    public void Benign_skops_archive_scans_clean()
    {
        ModelScanResult result = Scan.Bytes(Skops(SkopsSchema), "model.skops");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Equal("Skops", result.Format);
    }

    [Fact]
    public void A_skops_function_node_naming_os_system_is_critical()
    {
        string schema = SkopsSchema.Replace(
            "\"C\": {",
            "\"func\": {\"__class__\": \"function\", \"__module__\": \"builtins\", \"__loader__\": \"FunctionNode\", \"content\": {\"module_path\": \"os\", \"function\": \"system\"}}, \"C\": {");
        ModelScanResult result = Scan.Bytes(Skops(schema), "model.skops");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1127");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("os.system", finding.Evidence);
    }

    [Fact]
    public void A_skops_operator_func_node_is_critical_with_its_cve()
    {
        string schema = SkopsSchema.Replace(
            "\"C\": {",
            "\"f\": {\"__class__\": \"attrgetter\", \"__module__\": \"operator\", \"__loader__\": \"OperatorFuncNode\", \"content\": {}}, \"C\": {");
        ModelScanResult result = Scan.Bytes(Skops(schema), "model.skops");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1127" && f.Cve.Contains("CVE-2025-54412"));
    }

    [Fact]
    public void A_skops_method_node_on_an_untrusted_type_is_critical_with_its_cve()
    {
        string schema = SkopsSchema.Replace(
            "\"C\": {",
            "\"m\": {\"__class__\": \"Runner\", \"__module__\": \"evil.tools\", \"__loader__\": \"MethodNode\", \"content\": {\"func\": \"run\", \"obj\": {}}}, \"C\": {");
        ModelScanResult result = Scan.Bytes(Skops(schema), "model.skops");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1127" && f.Cve.Contains("CVE-2025-54413"));
    }

    [Fact]
    public void A_skops_type_outside_the_trusted_set_is_a_warning()
    {
        string schema = SkopsSchema.Replace("\"sklearn.linear_model._logistic\"", "\"my_lab.models\"");
        ModelScanResult result = Scan.Bytes(Skops(schema), "model.skops");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA3043");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal("my_lab.models.LogisticRegression", finding.Evidence);
    }

    internal const string MarManifest = """
        {"createdOn": "02/01/2025 10:11:12", "runtime": "python",
         "model": {"modelName": "resnet", "serializedFile": "model.safetensors", "handler": "image_classifier", "modelVersion": "1.0"},
         "archiverVersion": "0.12.0"}
        """;

    // The serialized weights: a SafeTensors file of one float32[2] tensor.
    private static byte[] SafeTensors()
    {
        byte[] header = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}");
        return BitConverter.GetBytes((ulong)header.Length).Concat(header).Concat(new byte[8]).ToArray();
    }

    internal static byte[] Mar(string manifest, params (string, byte[])[] extra) =>
        ArchiveBuilder.Zip(new[] { ("MAR-INF/MANIFEST.json", Utf8(manifest)), ("model.safetensors", SafeTensors()) }.Concat(extra).ToArray());

    [Fact]
    public void Builtin_handler_mar_scans_clean()
    {
        ModelScanResult result = Scan.Bytes(Mar(MarManifest), "resnet.mar");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Equal("TorchServeMar", result.Format);
    }

    [Fact]
    public void A_custom_handler_is_a_warning()
    {
        string manifest = MarManifest.Replace("\"image_classifier\"", "\"handler.py\"");
        ModelScanResult result = Scan.Bytes(Mar(manifest, ("handler.py", Utf8("import os\nos.system('id')\n"))), "resnet.mar");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA3044");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal("handler.py", finding.Evidence);
    }

    [Theory]
    [InlineData("\"model.safetensors\"", "\"missing.bin\"")]
    [InlineData("\"model.safetensors\"", "\"../../etc/passwd\"")]
    [InlineData("\"model.safetensors\"", "\"/etc/passwd\"")]
    public void A_manifest_file_that_is_missing_or_escapes_is_a_warning(string from, string to)
    {
        ModelScanResult result = Scan.Bytes(Mar(MarManifest.Replace(from, to)), "resnet.mar");
        Assert.Equal(Severity.Warning, Assert.Single(result.Findings, f => f.RuleId == "MA6140").Severity);
    }

    [Fact]
    public void A_mar_without_a_manifest_is_a_warning()
    {
        ModelScanResult result = Scan.Bytes(ArchiveBuilder.Zip(("model.safetensors", SafeTensors())), "resnet.mar");
        Assert.True(result.Has("MA6141", Severity.Warning), result.Describe());
    }

    // skops.hub_utils.init writes this config.json beside the model it pushes to the Hub.
    private static string HubConfig(string file, string format) =>
        "{\"sklearn\": {\"columns\": [\"a\", \"b\"], \"environment\": [\"scikit-learn=1.5.0\"], \"example_input\": {\"a\": [1.0], \"b\": [2.0]}, "
        + "\"model\": {\"file\": \"" + file + "\"}, \"model_format\": \"" + format + "\", \"task\": \"tabular-classification\"}}";

    [Fact]
    public void A_skops_config_whose_skops_file_is_a_pickle_is_the_joblib_fallback_cve()
    {
        string dir = Directory.CreateTempSubdirectory("ma-skops-").FullName;
        try
        {
            string config = Path.Combine(dir, "config.json");
            File.WriteAllText(config, HubConfig("model.skops", "skops"));
            File.WriteAllBytes(Path.Combine(dir, "model.skops"), Skops(SkopsSchema));
            ModelScanResult genuine = Scan.File(config);
            Assert.True(genuine.Outcome == ScanOutcome.Clean, genuine.Describe());
            Assert.False(genuine.Has("MA6373"), genuine.Describe());

            File.WriteAllBytes(Path.Combine(dir, "model.skops"), new PickleBuilder().Proto(4).Global("os", "system").Str("id").Tuple1().Reduce().Stop().ToArray());
            ModelScanResult fallback = Scan.File(config);
            ModelFinding finding = Assert.Single(fallback.Findings, f => f.RuleId == "MA6373");
            Assert.Equal((Severity.Warning, "model.skops"), (finding.Severity, finding.Evidence));
            Assert.Equal(new[] { "CVE-2025-54886" }, finding.Cve);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_skops_config_that_declares_a_pickle_is_info_only()
    {
        ModelScanResult result = Scan.Bytes(Utf8(HubConfig("skops-model.pkl", "pickle")), "config.json");
        Assert.Equal(Severity.Info, Assert.Single(result.Findings, f => f.RuleId == "MA6374").Severity);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }
}
