using System.Text;
using ModelAudit.Engine.Analyzers.Templates;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// Chat-template injection: the public templates of real models scan Clean, each SSTI technique is Critical in the
/// files models carry templates in (tests/fixtures/templates/generate.py, cases.tsv), broken templates are a Warning,
/// and no template input crashes or hangs the scan.
/// </summary>
public sealed class ChatTemplateTests
{
    private static string Fixture(string relative) => Scan.Fixture(Path.Combine("templates", relative));

    private static TheoryData<string> Files(string folder)
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(Fixture(folder)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    public static TheoryData<string> PublicTemplates() => Files("public");

    public static TheoryData<string> BenignFiles() => Files("benign");

    public static TheoryData<string> MalformedFiles() => Files("malformed");

    public static TheoryData<string, string, string> MaliciousCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (string line in File.ReadAllLines(Fixture("cases.tsv")).Where(l => !l.StartsWith('#')))
        {
            string[] f = line.Split('\t');
            data.Add(f[0], f[1], f[2]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PublicTemplates))]
    public void Public_chat_template_file_scans_clean(string name)
    {
        ModelScanResult result = Scan.File(Fixture("public/" + name));
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.True(result.Findings.Count == 0, result.Describe());
    }

    [Theory]
    [MemberData(nameof(BenignFiles))]
    public void Benign_config_with_template_scans_clean(string name)
    {
        ModelScanResult result = Scan.File(Fixture("benign/" + name));
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.DoesNotContain(result.Findings, f => f.RuleId.StartsWith("MA7", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(MaliciousCases))]
    public void Injection_technique_gives_its_rule(string name, string ruleId, string severity)
    {
        ModelScanResult result = Scan.File(Fixture("malicious/" + name));
        Assert.True(result.Has(ruleId, Enum.Parse<Severity>(severity)), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Theory]
    [MemberData(nameof(MaliciousCases))]
    public void Injection_technique_in_a_gguf_chat_template_gives_its_rule(string name, string ruleId, string severity)
    {
        // llama.cpp's converter writes the default template as tokenizer.chat_template and each other named one
        // as tokenizer.chat_template.<name>; llama-cpp-python renders either.
        ModelScanResult result = Scan.Bytes(GgufWith(TemplatesOf(name)), "model.gguf");
        Assert.True(result.Has(ruleId, Enum.Parse<Severity>(severity)), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
        Assert.Contains(result.Findings, f => f.RuleId == ruleId && f.Message.Contains("'tokenizer.chat_template", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(MaliciousCases))]
    public void Injection_technique_in_a_named_gguf_chat_template_gives_its_rule(string name, string ruleId, string severity)
    {
        // The payload hides in a named template (tool_use) behind a public default template.
        string payload = string.Concat(TemplatesOf(name).Select(t => t.Template));
        var templates = new List<(string Name, string Template)> { ("default", File.ReadAllText(Fixture("public/llama-3-instruct.jinja"))), ("tool_use", payload) };
        ModelScanResult result = Scan.Bytes(GgufWith(templates), "model.gguf");
        Assert.True(result.Has(ruleId, Enum.Parse<Severity>(severity)), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == ruleId && f.Message.Contains("'tokenizer.chat_template.tool_use'", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Findings, f => f.Message.Contains("'tokenizer.chat_template'", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(PublicTemplates))]
    public void Public_chat_template_in_a_gguf_scans_clean(string name)
    {
        string template = File.ReadAllText(Fixture("public/" + name));
        ModelScanResult result = Scan.Bytes(GgufWith(new List<(string, string)> { ("default", template), ("tool_use", template) }), "model.gguf");
        Assert.True(result.Outcome == ScanOutcome.Clean && result.Findings.Count == 0, result.Describe());
    }

    [Fact]
    public void Every_malicious_fixture_is_listed_in_cases()
    {
        var listed = MaliciousCases().Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);
        Assert.All(Directory.GetFiles(Fixture("malicious")), f => Assert.Contains(Path.GetFileName(f), listed));
        Assert.True(listed.Count >= 40);
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Template_that_does_not_parse_is_a_warning(string name)
    {
        ModelScanResult result = Scan.File(Fixture("malformed/" + name));
        Assert.True(result.Has("MA7008", Severity.Warning), result.Describe());
        Assert.DoesNotContain(result.Findings, f => f.Severity == Severity.Critical || f.RuleId == "MA9010");
    }

    [Fact]
    public void Template_after_the_first_text_chunk_is_found()
    {
        // transformers writes added_tokens_decoder before chat_template: padding pushes the template past 1 MiB.
        var json = new StringBuilder("{\"added_tokens_decoder\": {");
        for (int i = 0; i < 40_000; i++)
        {
            json.Append(i == 0 ? string.Empty : ", ").Append($"\"{i}\": {{\"content\": \"<extra_{i}>\", \"special\": true}}");
        }

        json.Append("}, \"chat_template\": \"{{ ''|attr('\\\\x5f\\\\x5fclass\\\\x5f\\\\x5f') }}\", \"eos_token\": \"</s>\"}");
        byte[] data = Encoding.UTF8.GetBytes(json.ToString());
        Assert.True(data.Length > 2 << 20);

        ModelScanResult result = Scan.Bytes(data, "tokenizer_config.json");
        Assert.True(result.Has("MA7002", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Template_over_the_size_limit_is_inconclusive()
    {
        byte[] data = Encoding.UTF8.GetBytes("{\"chat_template\": \"" + string.Concat(Enumerable.Repeat("{{ bos_token }}", 100)) + "\"}");
        var options = new ScanOptions { Limits = new ScanLimits { MaxTemplateChars = 1000 } };

        ModelScanResult result = Scan.Bytes(data, "tokenizer_config.json", options);
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.Contains(result.Findings, f => f.RuleId == "MA9002" && f.Evidence == "MaxTemplateChars");
    }

    [Theory]
    [InlineData(200)]
    [InlineData(100_000)]
    public void Deeply_nested_template_is_inconclusive_not_a_crash(int depth)
    {
        string template = new string('(', depth) + "1" + new string(')', depth);
        ModelScanResult result = Scan.Bytes(Encoding.UTF8.GetBytes("{{ " + template + " }}"), "chat_template.jinja");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.Contains(result.Findings, f => f.RuleId == "MA9002" && f.Evidence == "TemplateNesting");
    }

    [Fact]
    public void Long_elif_chain_is_not_deep_nesting()
    {
        string template = "{% if a == 0 %}0" + string.Concat(Enumerable.Range(1, 2000).Select(i => $"{{% elif a == {i} %}}{i}")) + "{% endif %}";
        ModelScanResult result = Scan.Bytes(Encoding.UTF8.GetBytes(template), "chat_template.jinja");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
    }

    [Theory]
    [InlineData("{% raw %}{{ ''.__class__ }}{% endraw %}{{ bos_token }}")] // raw content is text, never evaluated
    [InlineData("{# {{ ''.__class__ }} #}{{ bos_token }}")]
    [InlineData("{{ {'a': {'b': 1}} }}{{ \"}}\" }}{{ '{%' }}")]
    [InlineData("{{ x is divisibleby 3 }}{{ y is not none }}{{ 1 if x else 2 }}{{ a[1:2] }}{{ a[::-1] }}{{ f(*args, **kw) }}")]
    [InlineData("{% set a, b = 1, 2 %}{% with c = a %}{{ c }}{% endwith %}{% filter upper %}x{% endfilter %}")]
    [InlineData("{% macro m(x, y=2) %}{{ caller() }}{% endmacro %}{% call(z) m(1) %}{{ z }}{% endcall %}")]
    [InlineData("{% for m in messages if m.role != 'system' recursive %}{% if loop.first %}{% continue %}{% endif %}{{ loop(m.children) }}{% else %}none{% endfor %}")]
    [InlineData("{%- generation -%}{{ message.content }}{%- endgeneration -%}{% do ns.items.append(1) %}")]
    public void Jinja_syntax_that_real_templates_use_parses_clean(string template)
    {
        ModelScanResult result = Scan.Bytes(Encoding.UTF8.GetBytes(template), "chat_template.jinja");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
    }

    [Fact]
    public void Chat_template_mentioned_in_a_readme_is_not_judged_as_a_template()
    {
        string readme = "# Model\n\nDo not ship `\"chat_template\": \"{{ ''.__class__.__mro__ }}\"` like the CVE-2024-34359 sample.\n";
        ModelScanResult result = Scan.Bytes(Encoding.UTF8.GetBytes(readme), "README.md");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
    }

    [Fact]
    public void Truncations_of_public_templates_never_crash()
    {
        foreach (string file in Directory.GetFiles(Fixture("public")))
        {
            string template = File.ReadAllText(file);
            for (int cut = 1; cut < template.Length; cut += Math.Max(1, template.Length / 97))
            {
                string text = template[..cut];
                // (A one-character '{' is a JSON-looking text, MA6001: not this analyzer's business.)
                var findings = TemplateFindings(text).Where(f => f.RuleId != "MA6001").ToList();
                Assert.True(findings.All(f => f.RuleId == "MA7008"), string.Join(" | ", findings.Select(f => f.RuleId + " " + f.Message)));
            }
        }
    }

    [Fact]
    public void Parser_refuses_what_jinja_refuses()
    {
        // Each was checked against Jinja2 3.1 (TemplateSyntaxError).
        string[] refused =
        {
            "{{ }}", "{{ a b }}", "{% for %}{% endfor %}", "{% set 1 = 2 %}", "{{ a is b is c }}", "{% if a %}", "{{ (1, }}", "{{ a[ }}",
            "{{ x ) }}", "{% endblock %}", "{{ 'a' }", "{% macro m( %}{% endmacro %}",
        };
        foreach (string template in refused)
        {
            Assert.Throws<JinjaSyntaxException>(() => JinjaParser.Parse(template));
        }
    }

    [Fact]
    public void Parser_agrees_with_jinja2_on_the_mutation_corpus()
    {
        // parser-oracle.jsonl: public-template expressions and small templates with one character mutated, each with
        // real Jinja2's verdict (generate.py). A disagreement is either a false Warning or a template we cannot see.
        var disagreements = new List<string>();
        foreach (string line in File.ReadLines(Fixture("parser-oracle.jsonl")))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            string template = doc.RootElement.GetProperty("template").GetString()!;
            bool jinja = doc.RootElement.GetProperty("parses").GetBoolean();
            bool ours;
            try
            {
                JinjaParser.Parse(template);
                ours = true;
            }
            catch (JinjaSyntaxException)
            {
                ours = false;
            }

            if (ours != jinja)
            {
                disagreements.Add($"jinja2={jinja}: {template}");
            }
        }

        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements));
    }

    [Theory]
    [InlineData("{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}", null)]
    [InlineData("{{ lipsum.__globals__.os.popen('id').read() }}", "MA7004")]
    public void Template_in_safetensors_metadata_is_judged(string template, string? ruleId)
    {
        // Metadata fragments whose key names a chat template (SafeTensors __metadata__.chat_template, and the
        // same hook for GGUF tokenizer.chat_template once that scanner hands its values over).
        string header = "{\"__metadata__\":{\"format\":\"pt\",\"chat_template\":" + System.Text.Json.JsonSerializer.Serialize(template)
            + "},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] json = Encoding.UTF8.GetBytes(header);
        byte[] data = new byte[8 + json.Length + 8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(data, (ulong)json.Length);
        json.CopyTo(data, 8);

        ModelScanResult result = Scan.Bytes(data, "model.safetensors");
        if (ruleId is null)
        {
            Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        }
        else
        {
            Assert.True(result.Has(ruleId, Severity.Critical), result.Describe());
        }
    }

    // The templates a malicious fixture carries, as named templates: a tokenizer_config.json or chat_template.json
    // value (a string, or a list of {name, template}), or a whole .jinja file.
    private static List<(string Name, string Template)> TemplatesOf(string fixture)
    {
        string text = File.ReadAllText(Fixture("malicious/" + fixture));
        if (fixture.EndsWith(".jinja", StringComparison.Ordinal))
        {
            return new() { ("default", text) };
        }

        using var doc = System.Text.Json.JsonDocument.Parse(text);
        System.Text.Json.JsonElement value = doc.RootElement.GetProperty("chat_template");
        if (value.ValueKind == System.Text.Json.JsonValueKind.String)
        {
            return new() { ("default", value.GetString()!) };
        }

        return value.EnumerateArray().Select(t => (t.GetProperty("name").GetString()!, t.GetProperty("template").GetString()!)).ToList();
    }

    // A small GGUF (GgufBuilder.TinyLlama without its own template) carrying the given templates.
    private static byte[] GgufWith(List<(string Name, string Template)> templates)
    {
        var b = new GgufBuilder().String("general.architecture", "llama").String("general.name", "Tiny Llama")
            .String("tokenizer.ggml.model", "llama").Strings("tokenizer.ggml.tokens", "<unk>", "<s>", "</s>");
        foreach (var (name, template) in templates)
        {
            b.String(name == "default" ? "tokenizer.chat_template" : "tokenizer.chat_template." + name, template);
        }

        return b.F32Tensor("token_embd.weight", 8, 3).Build();
    }

    private static IReadOnlyList<ModelFinding> TemplateFindings(string template) =>
        Scan.Bytes(Encoding.UTF8.GetBytes(template), "chat_template.jinja").Findings;
}
