using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Secret detectors: each credential family found with its rule and severity, each look-alike silent,
/// and no finding ever showing the value.</summary>
public sealed class SecretsTests
{
    // Format-valid but never issued: random bodies built for these tests (the GitHub one with a correct checksum).
    private const string GitHubToken = "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";
    private const string HuggingFaceToken = "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";
    private const string AwsKeyId = "AKIADN73U55XTPLPFT7V";
    private const string AwsSecret = "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";
    private const string OpenAiKey = "sk-proj-z63FfkCzJr4i0B3JrTAwR4y9ojfljoT3BlbkFJQoaF1LlqsajAIxNKu8iS2G8NPRVdD5";
    private const string AnthropicKey = "sk-ant-api03-YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po-799NksnRH9ucAUsdMlHUvTCQCyEZDz_TddJ8HyS5SUkCnD8zRA9a9SkpXz9wAA";
    private const string GoogleKey = "AIza3QlY7Zkuvqdt7s8Stqcbnr3yBdGBLEPH1qh";
    private const string StripeKey = "sk_live_6Vw5DQL05HA064GiIjHGb3CX";
    private const string Jwt = "eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAic3ZjLTciLCAiaWF0IjogMTc2NzIyNTYwMH0.uwmt6uEJxKmXIDl1NSuHixRcikLYhM9M_actjh1d2SU";
    private const string KeyBody = "XQJMWEjyPR+m9zYdf2GNFTLnDiDipmaN5/R+hGflRtU+yOKhJXvbJWybPk+7SYFG73Awy/lTclLczq3XZLajLw==";

    private static ModelScanResult ScanText(string text, string name = "notes.txt") => Scan.Bytes(Encoding.UTF8.GetBytes(text), name);

    public static TheoryData<string, string, string, Severity> Secrets() => new()
    {
        { "github", $"token: {GitHubToken}\n", "MA4001", Severity.Warning },
        { "github fine-grained", "GH=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\n", "MA4001", Severity.Warning },
        { "hugging face", $"HF_TOKEN={HuggingFaceToken}\n", "MA4001", Severity.Warning },
        { "openai", $"client = OpenAI(api_key=\"{OpenAiKey}\")\n", "MA4001", Severity.Warning },
        { "anthropic", $"ANTHROPIC_API_KEY={AnthropicKey}\n", "MA4001", Severity.Warning },
        { "google", $"maps key {GoogleKey} in use\n", "MA4001", Severity.Warning },
        { "stripe", $"stripe.api_key = '{StripeKey}'\n", "MA4001", Severity.Warning },
        { "slack webhook", "notify: https://hooks.slack.com/services/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\n", "MA4001", Severity.Warning },
        { "slack bot", "SLACK=xoxb-2345678901-3456789012-Xy7Kp2Lm9Qr4Zt6\n", "MA4001", Severity.Warning },
        { "azure account key", $"DefaultEndpointsProtocol=https;AccountName=models;AccountKey={KeyBody.Replace("==", "").PadRight(86, 'Q')}==;EndpointSuffix=core.windows.net\n", "MA4001", Severity.Warning },
        { "azure sas", "https://models.blob.core.windows.net/w/model.bin?sv=2022-11-02&ss=b&srt=o&sp=r&se=2027-01-01T00:00:00Z&sig=Qm9vYmFyQmF6UXV4Wnl6enlLZXlTaWduYXR1cmVGb3JUZXN0cw%3D%3D\n", "MA4001", Severity.Warning },
        { "jwt", $"Authorization: Bearer {Jwt}\n", "MA4001", Severity.Warning },
        { "aws id alone", $"bucket owner {AwsKeyId}\n", "MA4001", Severity.Warning },
        { "aws pair", $"[default]\naws_access_key_id = {AwsKeyId}\naws_secret_access_key = {AwsSecret}\n", "MA4003", Severity.Critical },
        { "rsa private key", $"-----BEGIN RSA PRIVATE KEY-----\n{KeyBody}\n{KeyBody}\n-----END RSA PRIVATE KEY-----\n", "MA4002", Severity.Critical },
        { "openssh key in json", $"{{\"deploy_key\": \"-----BEGIN OPENSSH PRIVATE KEY-----\\n{KeyBody}\\n{KeyBody}\\n-----END OPENSSH PRIVATE KEY-----\\n\"}}", "MA4002", Severity.Critical },
        { "pgp private key", $"-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n{KeyBody}\n{KeyBody}\n-----END PGP PRIVATE KEY BLOCK-----\n", "MA4002", Severity.Critical },
        { "database url", "DATABASE_URL=postgresql://trainer:Vq7rK2m9Lp4x@db.internal.example.net:5432/runs\n", "MA4005", Severity.Warning },
        { "mongodb url", "mongodb+srv://svc:Zx81Kq0pWm3n@cluster0.abcde.mongodb.net/\n", "MA4005", Severity.Warning },
        { "generic password", "db_password = \"r8bOfZqfM2oeq3hDavJA76rN\"\n", "MA4004", Severity.Warning },
        { "generic api key json", "{\"service\": {\"api_key\": \"Tq9Lm2Xv7Rk4Zp1Wn6Bc3Yd8\"}}", "MA4004", Severity.Warning },
    };

    [Theory]
    [MemberData(nameof(Secrets))]
    public void Each_credential_family_is_found_and_masked(string family, string text, string rule, Severity severity)
    {
        ModelScanResult result = ScanText(text);
        ModelFinding finding = Assert.Single(result.Findings, f => f.Category == FindingCategory.Secret);
        Assert.True(finding.RuleId == rule && finding.Severity == severity, family + ": " + result.Describe());
        Assert.Equal("Secrets", finding.Scanner);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
        AssertNothingDisclosed(text, finding);
    }

    public static TheoryData<string, string> LookAlikes() => new()
    {
        { "aws docs example", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n" },
        { "github token with a wrong checksum", "token: ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8024xXI\n" },
        { "github docs placeholder", "export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" },
        { "hf placeholder", "token=\"hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n" },
        { "hf vocabulary words", "{\"hf_hub_download\": 5, \"hf_\": 6, \"hfhubdownloadingmodelweightsnowxy\": 7, \"sk-learn\": 8, \"sk-\": 9}" },
        { "openai placeholder", "OPENAI_API_KEY=sk-your-key-here\n" },
        { "public key", $"-----BEGIN PUBLIC KEY-----\n{KeyBody}\n-----END PUBLIC KEY-----\n" },
        { "certificate", $"-----BEGIN CERTIFICATE-----\n{KeyBody}\n{KeyBody}\n-----END CERTIFICATE-----\n" },
        { "private key header without a body", "Paste your key between -----BEGIN RSA PRIVATE KEY----- and the END line.\n" },
        { "sha1 in a config", "{\"_commit_hash\": \"3f9c2b6a8d1e4f7a0b5c9d2e6f1a4b7c8d0e3f5a\", \"token\": \"3f9c2b6a8d1e4f7a0b5c9d2e6f1a4b7c8d0e3f5a\"}" },
        { "sha256 hex", "secret_sha256 = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n" },
        { "special tokens", "{\"pad_token\": \"<|finetune_right_pad_id|>\", \"eos_token\": \"<|eot_id|>\", \"max_tokens\": 4096, \"bos_token\": \"BeginOfSequence_Tk9\"}" },
        { "password placeholders", "password = ${DB_PASSWORD}\npasswd: changeme_1234567\n" },
        { "url with placeholder password", "postgresql://user:password@localhost/db and mysql://root:<pass>@db/x\n" },
        { "jwt.io sample", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\n" },
        { "base64 weights", "{\"weights\": \"" + Convert.ToBase64String(Enumerable.Range(0, 3000).Select(i => (byte)(i * 7919 % 251)).ToArray()) + "\"}" },
        { "stripe test key", "sk_test_6Vw5DQL05HA064GiIjHGb3CX\n" },
    };

    [Theory]
    [MemberData(nameof(LookAlikes))]
    public void Look_alikes_are_silent(string _, string text)
    {
        ModelScanResult result = ScanText(text);
        Assert.True(result.Outcome == ScanOutcome.Clean && result.Findings.Count == 0, result.Describe());
    }

    [Fact]
    public void Secrets_in_pickle_strings_and_safetensors_metadata_are_found()
    {
        byte[] token = Encoding.UTF8.GetBytes(GitHubToken);
        byte[] pickle = new byte[] { 0x80, 4, 0x8C, (byte)token.Length }.Concat(token).Concat(new byte[] { (byte)'.' }).ToArray();
        Assert.True(Scan.Bytes(pickle, "data.pkl").Has("MA4001", Severity.Warning));

        string header = $"{{\"__metadata__\":{{\"note\":\"{HuggingFaceToken}\"}},\"a\":{{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}}}";
        byte[] json = Encoding.UTF8.GetBytes(header);
        byte[] file = BitConverter.GetBytes((ulong)json.Length).Concat(json).Concat(new byte[4]).ToArray();
        ModelScanResult result = Scan.Bytes(file, "model.safetensors");
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA4001");
        Assert.Contains("__metadata__.note", finding.Message);
        AssertNothingDisclosed(HuggingFaceToken, finding);
    }

    [Fact]
    public void The_same_secret_has_the_same_fingerprint_wherever_it_is()
    {
        ModelFinding a = Assert.Single(ScanText($"one {GitHubToken}\n").Findings);
        ModelFinding b = Assert.Single(ScanText($"{{\"other\": \"{GitHubToken}\"}}", "config.yaml").Findings);
        Assert.Equal(a.Evidence, b.Evidence);
        Assert.StartsWith("ghp_…#", a.Evidence);
    }

    // Every long random-looking run in the input (a secret's body) must be absent from what the finding shows;
    // only its fixed provider prefix (the first characters) may appear.
    private static void AssertNothingDisclosed(string text, ModelFinding finding)
    {
        string shown = finding.Message + " " + finding.Evidence;
        foreach (System.Text.RegularExpressions.Match run in System.Text.RegularExpressions.Regex.Matches(text, "[A-Za-z0-9+/_-]{20,}"))
        {
            Assert.DoesNotContain(run.Value[^10..], shown, StringComparison.Ordinal);
        }
    }
}
