using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Configuration: HF auto_map and trust_remote_code, YAML tags, MLflow MLmodel, pinned and recorded versions.</summary>
public sealed class ConfigurationTests
{
    private static ModelScanResult ScanText(string text, string name) => Scan.Bytes(Encoding.UTF8.GetBytes(text), name);

    [Fact]
    public void Auto_map_names_local_and_remote_code()
    {
        string config = """
            {"model_type": "tiny", "auto_map": {
              "AutoConfig": "configuration_tiny.TinyConfig",
              "AutoModelForCausalLM": "other-org/shared-code--modeling_tiny.TinyForCausalLM"},
             "transformers_version": "4.51.0"}
            """;
        ModelScanResult result = ScanText(config, "config.json");
        ModelFinding local = Assert.Single(result.Findings, f => f.RuleId == "MA3130");
        Assert.Equal(Severity.Warning, local.Severity);
        Assert.Contains("configuration_tiny.py", local.Message);
        ModelFinding remote = Assert.Single(result.Findings, f => f.RuleId == "MA3131");
        Assert.Contains("other-org/shared-code", remote.Message);
        Assert.Contains("modeling_tiny.py", remote.Message);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Theory]
    [InlineData("config.json", "{\"model_type\": \"bert\", \"description\": \"Call model.eval() before inference; eval() on the dev set gives 91.2 F1. Do not exec untrusted code.\"}")]
    [InlineData("generation_config.json", "{\"do_eval\": true, \"eval_batch_size\": 8, \"eval_steps\": 500, \"max_new_tokens\": 64}")]
    [InlineData("training_args.yaml", "description: evaluate with eval() and exec_mode fast\ndo_eval: true\neval_strategy: steps\n")]
    [InlineData("README.md", "# Model\n\nPut the model in `model.eval()` mode first, then `eval` on your data. `exec` mode is faster.\n")]
    public void Eval_and_exec_in_descriptions_are_words_not_code(string name, string text)
    {
        ModelScanResult result = ScanText(text, name);
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
    }

    [Fact]
    public void Eval_in_shipped_code_is_a_finding_where_the_same_word_in_a_description_is_not()
    {
        // The look-alike above, as code: a modelling file that evaluates what it is given.
        ModelScanResult result = ScanText("def load(spec):\n    return eval(spec)\n", "modeling_bert.py");
        Assert.Contains(result.Findings, f => f.Severity >= Severity.Warning && f.Evidence is { } e && e.Contains("eval", StringComparison.Ordinal));
    }

    [Fact]
    public void Tokenizer_auto_map_pairs_with_nulls_are_read()
    {
        string config = """{"auto_map": {"AutoTokenizer": ["tokenization_tiny.TinyTokenizer", null]}, "chat_template": "{{ messages }}"}""";
        ModelScanResult result = ScanText(config, "tokenizer_config.json");
        Assert.Contains(result.Findings, f => f.RuleId == "MA3130" && f.Message.Contains("tokenization_tiny.py"));
    }

    [Fact]
    public void Trust_remote_code_true_is_a_warning_and_false_is_silent()
    {
        Assert.True(ScanText("""{"pipeline": {"trust_remote_code": true}}""", "adapter_config.json").Has("MA3132", Severity.Warning));
        ModelScanResult off = ScanText("""{"trust_remote_code": false, "model_type": "bert"}""", "config.json");
        Assert.True(off.Findings.Count == 0, off.Describe());
    }

    [Fact]
    public void A_config_too_large_to_parse_whole_is_searched_as_text()
    {
        string padding = new string(' ', (1 << 20) + 10);
        ModelScanResult result = ScanText("{\"pad\": \"" + padding + "\", \"auto_map\": {\"AutoModel\": \"modeling_x.X\"}}", "config.json");
        Assert.True(result.Has("MA3130", Severity.Warning), result.Describe());
    }

    [Fact]
    public void An_old_recorded_transformers_version_is_info_with_its_cves()
    {
        ModelScanResult result = ScanText("""{"model_type": "bert", "transformers_version": "4.30.2"}""", "config.json");
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal(("MA6250", Severity.Info), (finding.RuleId, finding.Severity));
        Assert.Contains("CVE-2024-3568", finding.Cve);
        Assert.Contains("CVE-2023-7018", finding.Cve);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Theory]
    [InlineData("requirements.txt", "numpy>=1.24\ntorch==2.1.0+cu118\ntransformers[torch]==4.51.0  # fine\n", "CVE-2025-32434")]
    [InlineData("conda.yaml", "name: env\ndependencies:\n- python=3.10\n- pip:\n  - scikit-learn==1.2.2\n  - mlflow==2.9.0\n", "CVE-2024-5206")]
    [InlineData("python_env.yaml", "python: 3.10\ndependencies:\n  - keras==3.5.0\n", "CVE-2025-1550")]
    public void Pinned_vulnerable_requirements_are_warnings(string name, string text, string cve)
    {
        ModelScanResult result = ScanText(text, name);
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA6251");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Contains(cve, finding.Cve);
    }

    [Fact]
    public void Current_pins_and_ranges_are_silent()
    {
        ModelScanResult result = ScanText("torch==2.10.0\ntransformers>=4.30\nkeras==3.12.0\nonnx==1.18.0\nnumpy==2.1.0\n", "requirements.txt");
        Assert.True(result.Findings.Count == 0, result.Describe());
    }

    [Theory]
    [InlineData("!!python/object/apply:os.system ['id']\n", "!!python/object/apply:os.system")]
    [InlineData("model:\n  cls: !!python/name:subprocess.Popen\n", "!!python/name:subprocess.Popen")]
    [InlineData("x: !<tag:yaml.org,2002:python/object/new:builtins.exec> [print(1)]\n", "!!python/object/new:builtins.exec")]
    [InlineData("a: !!python/module:os\n", "!!python/module:os")]
    public void Python_object_tags_are_critical(string yaml, string tag)
    {
        ModelScanResult result = ScanText(yaml, "hparams.yaml");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1170");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(tag, finding.Evidence);
    }

    [Fact]
    public void A_tag_in_yaml_that_does_not_parse_is_still_critical()
    {
        ModelScanResult result = ScanText("a: [1, 2\nb: !!python/object/apply:os.system ['id']\n  c: : :\n", "config.yml");
        Assert.True(result.Has("MA1170", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Data_tags_and_prose_about_tags_are_silent()
    {
        ModelScanResult hparams = ScanText("lr: 0.001\nbetas: !!python/tuple\n- 0.9\n- 0.999\nname: '!!python/object is dangerous'\n", "hparams.yaml");
        Assert.True(hparams.Findings.Count == 0, hparams.Describe());
        ModelScanResult readme = ScanText("Never load YAML with !!python/object/apply tags.\n", "README.md");
        Assert.True(readme.Findings.Count == 0, readme.Describe());
    }

    [Fact]
    public void Mlflow_custom_loader_bundled_code_and_flavor_versions()
    {
        string mlmodel = """
            artifact_path: model
            flavors:
              python_function:
                loader_module: my_company.loaders.custom
                code: code
                python_version: 3.10.12
              pytorch:
                model_data: data
                pytorch_version: 2.0.1
            mlflow_version: 2.9.2
            """;
        ModelScanResult result = ScanText(mlmodel, "MLmodel");
        Assert.True(result.Has("MA3133", Severity.Warning), result.Describe());
        Assert.True(result.Has("MA3134", Severity.Info), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA6250" && f.Cve.Contains("CVE-2025-32434"));
    }

    [Fact]
    public void A_standard_mlflow_flavor_is_silent()
    {
        string mlmodel = "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    model_path: model.pkl\n  sklearn:\n    sklearn_version: 1.5.2\n";
        ModelScanResult result = ScanText(mlmodel, "MLmodel");
        Assert.True(result.Findings.Count == 0, result.Describe());
    }

    // One recorded (Info) and one pinned (Warning) affected version per framework, each with a fixed release beside it
    // that must stay silent: the version ranges in KnownVulnerabilities are what is under test.
    [Theory]
    [InlineData("torch", "pytorch_version", "2.5.1", "2.10.0", "CVE-2025-32434")]
    [InlineData("keras", "keras_version", "3.8.0", "3.12.0", "CVE-2025-1550")]
    [InlineData("transformers", "transformers_version", "4.37.2", "4.51.3", "CVE-2024-3568")]
    [InlineData("onnx", "onnx_version", "1.15.0", "1.18.0", "CVE-2024-27318")]
    [InlineData("sklearn", "sklearn_version", "1.4.2", "1.5.2", "CVE-2024-5206")]
    public void A_recorded_framework_version_maps_to_its_cves_and_a_fixed_one_is_silent(string package, string key, string affected, string fixedVersion, string cve)
    {
        string Mlmodel(string version) => $"flavors:\n  {package}:\n    {key}: {version}\n";
        ModelScanResult old = ScanText(Mlmodel(affected), "MLmodel");
        ModelFinding finding = Assert.Single(old.Findings);
        Assert.Equal(("MA6250", Severity.Info), (finding.RuleId, finding.Severity));
        Assert.Contains(cve, finding.Cve);
        Assert.Contains(cve, finding.Message);
        ModelScanResult current = ScanText(Mlmodel(fixedVersion), "MLmodel");
        Assert.True(current.Findings.Count == 0, current.Describe());
    }

    [Theory]
    [InlineData("torch", "2.5.1", "2.10.0", "CVE-2025-32434")]
    [InlineData("keras", "3.8.0", "3.12.0", "CVE-2025-1550")]
    [InlineData("transformers", "4.37.2", "4.51.3", "CVE-2024-3568")]
    [InlineData("onnx", "1.15.0", "1.18.0", "CVE-2024-27318")]
    [InlineData("scikit-learn", "1.4.2", "1.5.2", "CVE-2024-5206")]
    [InlineData("numpy", "1.16.0", "1.26.4", "CVE-2019-6446")]
    public void A_pinned_framework_version_maps_to_its_cves_and_a_fixed_one_is_silent(string package, string affected, string fixedVersion, string cve)
    {
        ModelScanResult old = ScanText($"{package}=={affected}\n", "requirements.txt");
        ModelFinding finding = Assert.Single(old.Findings);
        Assert.Equal(("MA6251", Severity.Warning), (finding.RuleId, finding.Severity));
        Assert.Contains(cve, finding.Cve);
        ModelScanResult current = ScanText($"{package}=={fixedVersion}\n", "requirements.txt");
        Assert.True(current.Findings.Count == 0, current.Describe());
    }

    [Theory]
    [InlineData("keras", "3.0.0", true)]
    [InlineData("keras", "2.15.0", false)] // CVE-2025-1550 starts at 3.0; 2.15 is past 2.13's Lambda fix
    [InlineData("onnx", "1.12.0", true)] // below 1.13 every external-data CVE applies
    [InlineData("torch", "2.6.0", true)] // CVE-2026-24747 is fixed only in 2.10
    [InlineData("torch", "2.10.0", false)]
    public void Version_ranges_have_inclusive_starts_and_exclusive_fixes(string package, string version, bool affected)
    {
        ModelScanResult result = ScanText($"{package}=={version}\n", "requirements.txt");
        Assert.Equal(affected, result.Has("MA6251"));
    }
}
