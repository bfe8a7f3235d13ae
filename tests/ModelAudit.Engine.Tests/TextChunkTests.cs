using System.Text;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// Text reaches the analyzers in 1 MiB chunks that overlap: a template, a secret or a URL that straddles a chunk
/// boundary, or sits in the overlap, is found exactly once, at its real offset.
/// </summary>
public sealed class TextChunkTests
{
    // TextScanner.ChunkChars and its overlap: the first fragment owns what starts before Boundary - Overlap.
    private const int Boundary = 1 << 20;
    private const int Overlap = 16 << 10;

    // Format-valid but never issued (checksum-correct, as in SecretsTests).
    private const string GitHubToken = "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";
    private const string TunnelUrl = "https://abcd-12-34.ngrok-free.app/collect";

    // Start positions around both edges of the overlap: wholly before it, straddling where ownership passes to the
    // next fragment, wholly inside it, straddling the chunk boundary itself, and after it.
    public static TheoryData<int> Starts() => new()
    {
        Boundary - Overlap - 100, Boundary - Overlap - 10, Boundary - Overlap, Boundary - 5000, Boundary - 20, Boundary - 1, Boundary, Boundary + 7,
    };

    // ASCII text (one byte per character) with `needle` at `start`, padded with prose that matches nothing.
    private static byte[] TextWith(string needle, int start, int length = (2 * Boundary) + 5000)
    {
        var text = new StringBuilder(length);
        while (text.Length < length)
        {
            text.Append("the quick brown fox jumps over the lazy dog\n");
        }

        text.Length = length;
        text.Remove(start, needle.Length).Insert(start, needle);
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    [Theory]
    [MemberData(nameof(Starts))]
    public void A_secret_across_or_near_a_chunk_boundary_is_found_once_at_its_offset(int start)
    {
        ModelScanResult result = Scan.Bytes(TextWith(" " + GitHubToken + " ", start - 1), "notes.txt");
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal(("MA4001", (long?)start), (finding.RuleId, finding.Offset));
        Assert.DoesNotContain(GitHubToken[6..], finding.Message + finding.Evidence, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Starts))]
    public void A_url_across_or_near_a_chunk_boundary_is_found_once_whole(int start)
    {
        ModelScanResult result = Scan.Bytes(TextWith(" " + TunnelUrl + " ", start - 1), "README.md");
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal(("MA5002", (long?)start, TunnelUrl), (finding.RuleId, finding.Offset, finding.Evidence));
    }

    [Fact]
    public void A_secret_in_the_last_characters_of_a_text_that_ends_at_a_chunk_boundary_is_found()
    {
        // The text ends exactly where a chunk does, so the overlap the last chunk left is handed over on its own.
        byte[] data = TextWith(" " + GitHubToken, Boundary - GitHubToken.Length - 1, Boundary);
        ModelScanResult result = Scan.Bytes(data, "notes.txt");
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal(("MA4001", (long?)(Boundary - GitHubToken.Length)), (finding.RuleId, finding.Offset));
    }

    public static TheoryData<int, bool> TemplateStarts() => new()
    {
        // The template value begins before the overlap and ends after the boundary; begins in the overlap; begins
        // just before the boundary; and the key itself is cut by the boundary.
        { Boundary - Overlap - 3000, true }, { Boundary - Overlap - 5, true }, { Boundary - 3000, true }, { Boundary - 40, true }, { Boundary - 5, true },
        { Boundary - Overlap - 3000, false }, { Boundary - 40, false },
    };

    [Theory]
    [MemberData(nameof(TemplateStarts))]
    public void A_chat_template_across_a_chunk_boundary_is_judged_once_whole(int keyStart, bool malicious)
    {
        // A long public-like template with the payload near its end, well past the boundary.
        string benign = string.Concat(Enumerable.Repeat("{% for m in messages %}{{ m['content'] }}{% endfor %}", 400));
        string template = malicious ? benign + "{{ ''|attr('\\\\x5f\\\\x5fclass\\\\x5f\\\\x5f') }}" : benign;
        string head = "{\"pad\": \"";
        string key = "\", \"chat_template\": \"";
        var json = new StringBuilder(head).Append('x', keyStart - head.Length - 2).Append(key).Append(template).Append("\", \"eos_token\": \"</s>\"}");
        byte[] data = Encoding.ASCII.GetBytes(json.ToString());
        Assert.True(keyStart < Boundary && keyStart + key.Length + template.Length > Boundary);

        ModelScanResult result = Scan.Bytes(data, "tokenizer_config.json");
        if (malicious)
        {
            ModelFinding finding = Assert.Single(result.Findings);
            Assert.Equal(("MA7002", Severity.Critical), (finding.RuleId, finding.Severity));
        }
        else
        {
            Assert.True(result.Outcome == ScanOutcome.Clean && result.Findings.Count == 0, result.Describe());
        }
    }

    [Fact]
    public void A_template_value_cut_by_the_end_of_the_file_is_a_parse_error()
    {
        string filler = new('x', Boundary);
        byte[] data = Encoding.ASCII.GetBytes($"{{\"pad\": \"{filler}\", \"chat_template\": \"{{{{ messages[0].content }}}}");
        ModelScanResult result = Scan.Bytes(data, "tokenizer_config.json");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9001"), result.Describe());
    }

    [Fact]
    public void A_template_value_longer_than_the_limit_across_chunks_is_inconclusive()
    {
        // The value starts in the first chunk and is still going after MaxTemplateChars (in JSON characters × 6).
        var options = new ScanOptions { Limits = new ScanLimits { MaxTemplateChars = 1000 } };
        string template = string.Concat(Enumerable.Repeat("{{ bos_token }}", 100_000));
        byte[] data = Encoding.ASCII.GetBytes($"{{\"pad\": \"{new string('x', Boundary - 50_000)}\", \"chat_template\": \"{template}\"}}");
        ModelScanResult result = Scan.Bytes(data, "tokenizer_config.json", options);
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.Contains(result.Findings, f => f.RuleId == "MA9002" && f.Evidence == "MaxTemplateChars");
    }
}
