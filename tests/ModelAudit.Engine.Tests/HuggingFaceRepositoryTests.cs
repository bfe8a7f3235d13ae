using System.Text;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Tests;

/// <summary>A folder laid out like a real Hugging Face model repository (tests/fixtures/hf_repo, from
/// make_hf_repo.py, with a 32,000-entry vocabulary of hf_/sk-/ghp_-like pieces that spans two text chunks): no
/// findings at all and exit code 0; a secret in any one of its files (between the vocabulary and the merges of tokenizer.json too)
/// gives exit code 1.</summary>
public sealed class HuggingFaceRepositoryTests
{
    private static readonly string s_repo = Scan.Fixture("hf_repo");

    private static List<ModelScanResult> ScanFolder(string folder)
    {
        var engine = new ScanEngine(new ScanOptions());
        return LocalFileSource.Enumerate(folder, new ScanOptions(), _ => { }).Select(item => engine.Scan(item, CancellationToken.None)).ToList();
    }

    [Fact]
    public void The_benign_repository_has_no_findings_and_exits_0()
    {
        List<ModelScanResult> results = ScanFolder(s_repo);
        Assert.True(results.Count == 8, string.Join(", ", results.Select(r => r.Path)));
        foreach (ModelScanResult result in results)
        {
            Assert.True(result.Outcome == ScanOutcome.Clean && result.Findings.Count == 0, result.Describe());
        }

        Assert.Equal(ExitCode.Clean, ExitCode.For(results, hadErrors: false));
    }

    [Fact]
    public void The_model_card_licence_is_recorded_on_its_result()
    {
        ModelScanResult card = Scan.File(Path.Combine(s_repo, "README.md"));
        Assert.NotNull(card.License);
        Assert.Equal("Apache-2.0", card.License!.SpdxId);
        Assert.Equal("apache-2.0", card.License.Name);
    }

    [Theory]
    [InlineData("README.md", "\nExport HF_TOKEN=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 before running.\n")]
    [InlineData("config.json", null)]
    [InlineData("tokenizer_config.json", null)]
    [InlineData("tokenizer.json", null)]
    [InlineData(".env", "AWS_ACCESS_KEY_ID=AKIADN73U55XTPLPFT7V\nAWS_SECRET_ACCESS_KEY=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\n")]
    public void A_secret_anywhere_in_it_exits_1(string file, string? appended)
    {
        string copy = Directory.CreateTempSubdirectory("hf_repo_").FullName;
        try
        {
            foreach (string source in Directory.GetFiles(s_repo))
            {
                File.Copy(source, Path.Combine(copy, Path.GetFileName(source)));
            }

            string target = Path.Combine(copy, file);
            if (appended is not null)
            {
                File.AppendAllText(target, appended);
            }
            else
            {
                // Inside a JSON value, where a careless upload leaves it.
                string json = File.ReadAllText(target);
                File.WriteAllText(target, json.Replace("\"model_type\"", "\"hub_token\": \"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\", \"model_type\"")
                    .Replace("\"bos_token\"", "\"hub_token\": \"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\", \"bos_token\"")
                    .Replace("\"merges\"", "\"hub_token\": \"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\", \"merges\""));
            }

            List<ModelScanResult> results = ScanFolder(copy);
            Assert.Equal(ExitCode.Findings, ExitCode.For(results, hadErrors: false));
            ModelScanResult flagged = Assert.Single(results, r => r.Outcome == ScanOutcome.Issues);
            Assert.Equal(file, Path.GetFileName(flagged.Path));
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }
}
