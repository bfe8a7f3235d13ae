using System.Text;
using ModelAudit.Engine.Analyzers.Configuration;

namespace ModelAudit.Engine.Tests;

/// <summary>TOML and INI read by our own bounded readers, YAML by parser events: key paths and values as the
/// languages' loaders (tomllib, configparser, PyYAML) see them, configuration checks on them, and custom YAML tags.</summary>
public sealed class StructuredConfigTests
{
    private static ModelScanResult ScanText(string text, string name) => Scan.Bytes(Encoding.UTF8.GetBytes(text), name);

    [Fact]
    public void Toml_reader_keeps_every_scalar_with_its_key_path()
    {
        const string Toml = """"
            # pyproject-like
            title = "tiny"   # comment
            [tool.loader]
            "quoted key".inner = 'literal \n kept'
            dotted . key = 0x1F
            when = 1979-05-27 07:32:00Z
            list = [ 1, [ "a\u0041", ], { x = true }, ]
            text = """
            line one \
               joined"""
            raw = '''it's ""ok""'''
            [[tool.runs]]
            name = "first"
            """";
        ConfigDocument doc = TomlReader.Read(Toml);
        Assert.Null(doc.Error);
        var values = doc.Scalars.ToDictionary(s => s.Path, s => s.Value);
        Assert.Equal("tiny", values["title"]);
        Assert.Equal("literal \\n kept", values["tool.loader.quoted key.inner"]);
        Assert.Equal("0x1F", values["tool.loader.dotted.key"]);
        Assert.Equal("1979-05-27 07:32:00Z", values["tool.loader.when"]);
        Assert.Equal("aA", values["tool.loader.list[1][0]"]);
        Assert.Equal("true", values["tool.loader.list[2].x"]);
        Assert.Equal("line one joined", values["tool.loader.text"]);
        Assert.Equal("it's \"\"ok\"\"", values["tool.loader.raw"]);
        Assert.Equal("first", values["tool.runs.name"]);
        Assert.Equal(Toml.IndexOf("\"tiny\"", StringComparison.Ordinal), doc.Scalars[0].Offset);
    }

    [Theory]
    [InlineData("a = ")]
    [InlineData("a = \"open")]
    [InlineData("a = 1 b = 2")]
    [InlineData("[table")]
    [InlineData("a = [1, 2")]
    [InlineData("a = \"\\q\"")]
    [InlineData("a = {x = 1")]
    [InlineData("= 1")]
    [InlineData("a = not-a-value")]
    public void Toml_that_tomllib_refuses_is_an_error(string toml) => Assert.NotNull(TomlReader.Read(toml).Error);

    [Fact]
    public void Toml_nesting_is_bounded()
    {
        ConfigDocument doc = TomlReader.Read("a = " + new string('[', 100_000) + new string(']', 100_000));
        Assert.Contains("nested deeper", doc.Error);
    }

    [Fact]
    public void Ini_reader_reads_sections_continuations_and_comments_as_configparser_does()
    {
        const string Ini = "; comment\n[metadata]\nName = tiny\nclassifiers =\n    one\n    two\n# another\n[options]\nzip_safe: false\n";
        ConfigDocument doc = IniReader.Read(Ini);
        Assert.Null(doc.Error);
        var values = doc.Scalars.ToDictionary(s => s.Path, s => s.Value);
        Assert.Equal("tiny", values["metadata.name"]);
        Assert.Equal("\none\ntwo", values["metadata.classifiers"]);
        Assert.Equal("false", values["options.zip_safe"]);
    }

    [Theory]
    [InlineData("key = before any section\n[s]\n")]
    [InlineData("[s]\njust words\n")]
    public void Ini_that_configparser_refuses_is_an_error(string ini) => Assert.NotNull(IniReader.Read(ini).Error);

    [Theory]
    [InlineData("pyproject.toml", "[tool.serve]\nmodel = \"org/tiny\"\ntrust_remote_code = true\n", "tool.serve.trust_remote_code")]
    [InlineData("serve.toml", "loader = { name = \"hf\", trust_remote_code = true }\n", "loader.trust_remote_code")]
    [InlineData("setup.cfg", "[model]\nTrust_Remote_Code = yes\n", "model.trust_remote_code")]
    [InlineData("train.yaml", "base_model: org/tiny\nmodel_config:\n  trust_remote_code: true\n", "model_config.trust_remote_code")]
    public void Trust_remote_code_set_in_a_config_is_a_warning_with_its_key_path(string name, string text, string path)
    {
        ModelScanResult result = ScanText(text, name);
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal(("MA3132", Severity.Warning, path), (finding.RuleId, finding.Severity, finding.Evidence));
    }

    [Theory]
    [InlineData("pyproject.toml", "[tool]\ntrust_remote_code = false\ndescription = \"never set trust_remote_code = true\"\n# trust_remote_code = true\n")]
    [InlineData("setup.cfg", "[model]\ntrust_remote_code = off\nnote = trust_remote_code: no\n")]
    [InlineData("train.yaml", "trust_remote_code: false\nnotes: 'do not use trust_remote_code: true'\n")]
    public void Trust_remote_code_off_or_in_prose_is_silent(string name, string text)
    {
        ModelScanResult result = ScanText(text, name);
        Assert.True(result.Outcome == ScanOutcome.Clean && result.Findings.Count == 0, result.Describe());
    }

    [Fact]
    public void A_config_that_does_not_parse_is_searched_as_text()
    {
        ModelScanResult result = ScanText("[tool\ntrust_remote_code = true\n", "broken.toml");
        Assert.True(result.Has("MA3132", Severity.Warning), result.Describe());
    }

    [Theory]
    [InlineData("defaults: !include base.yaml\n", "!include")]
    [InlineData("obj: !ruby/object:Gem::Installer\n  i: x\n", "!ruby/object:Gem::Installer")]
    [InlineData("x: !!java.util.Date 1\n", "!!java.util.Date")]
    [InlineData("p: !!python/unknown x\n", "!!python/unknown")]
    public void Custom_yaml_tags_are_warnings(string yaml, string tag)
    {
        ModelScanResult result = ScanText(yaml, "config.yaml");
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal(("MA7009", Severity.Warning, tag), (finding.RuleId, finding.Severity, finding.Evidence));
    }

    [Fact]
    public void Core_and_python_data_tags_are_silent()
    {
        const string Yaml = "a: !!str 1\nb: !!int '2'\nc: !!binary aGk=\nd: !!python/tuple [1, 2]\ne: !!set {x}\nf: !!python/none ''\ng: !!timestamp 2001-12-14\n";
        ModelScanResult result = ScanText(Yaml, "hparams.yaml");
        Assert.True(result.Outcome == ScanOutcome.Clean && result.Findings.Count == 0, result.Describe());
    }
}
