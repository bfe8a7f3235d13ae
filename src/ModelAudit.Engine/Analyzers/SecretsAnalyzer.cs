using System.Text.RegularExpressions;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers;

/// <summary>
/// Finds credentials in model text. Only shapes with a fixed, distinctive prefix are matched, so random tensor
/// names or base64 weights do not raise alarms.
/// </summary>
internal sealed partial class SecretsAnalyzer : IContentAnalyzer
{
    private static readonly (string Kind, Regex Pattern)[] s_patterns =
    {
        ("AWS access key id", AwsKey()),
        ("private key", PrivateKey()),
        ("GitHub token", GitHubToken()),
        ("Hugging Face token", HuggingFaceToken()),
        ("OpenAI API key", OpenAiKey()),
        ("Slack token", SlackToken()),
        ("Google API key", GoogleKey()),
    };

    public string Name => "Secrets";

    public void Analyze(ContentFragment fragment, ScanContext context)
    {
        string text = fragment.Text;
        if (text.Length < 20)
        {
            return;
        }

        foreach (var (kind, pattern) in s_patterns)
        {
            Match match = pattern.Match(text);
            if (match.Success)
            {
                context.Report(RuleIds.EmbeddedSecret, $"{kind} found in {fragment.Describe()}.", fragment.Offset, Redact(match.Value), scanner: Name);
            }
        }
    }

    // Enough to recognise the secret, not enough to use it.
    private static string Redact(string value) => value.Length <= 8 ? "****" : value[..6] + "…" + value[^2..];

    [GeneratedRegex(@"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", RegexOptions.CultureInvariant)]
    private static partial Regex AwsKey();

    [GeneratedRegex(@"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP )?PRIVATE KEY(?: BLOCK)?-----", RegexOptions.CultureInvariant)]
    private static partial Regex PrivateKey();

    [GeneratedRegex(@"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b", RegexOptions.CultureInvariant)]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"\bhf_[A-Za-z]{34}\b", RegexOptions.CultureInvariant)]
    private static partial Regex HuggingFaceToken();

    [GeneratedRegex(@"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b", RegexOptions.CultureInvariant)]
    private static partial Regex OpenAiKey();

    [GeneratedRegex(@"\bxox[baprs]-[0-9]{10,13}-[0-9A-Za-z-]{10,}\b", RegexOptions.CultureInvariant)]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"\bAIza[0-9A-Za-z_-]{35}\b", RegexOptions.CultureInvariant)]
    private static partial Regex GoogleKey();
}
