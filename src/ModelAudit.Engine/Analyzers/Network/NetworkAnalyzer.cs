using System.Text.RegularExpressions;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers.Network;

/// <summary>
/// Network indicators in extracted text. Ordinary and documentation links are silent (a model card full of arXiv and
/// Hugging Face links is not news); shorteners, tunnels, drops and webhooks, raw public IPs, C2 ports and links to
/// executables are Info, and Warning when a download, shell or execution primitive sits next to them. Inside a pickle,
/// where weights need no URL at all, any non-documentation URL is Info.
/// </summary>
internal sealed partial class NetworkAnalyzer : IContentAnalyzer
{
    // "Next to": the same statement or value. A pickle string is one value whole; in file text, this many
    // characters either side of the URL cover a shell line or a call with its arguments.
    private const int CorroborationWindow = 160;

    // A fragment with more indicators than this is a list (a blocklist, a dataset of URLs); the first say enough.
    private const int MaxFindingsPerFragment = 20;

    public string Name => "Network";

    public void Analyze(ContentFragment fragment, ScanContext context)
    {
        string text = fragment.Text;
        if (text.Length < 10 || !text.Contains("://", StringComparison.Ordinal))
        {
            return;
        }

        int reported = 0;
        for (Match m = Url().Match(text); m.Success && reported < MaxFindingsPerFragment; m = m.NextMatch())
        {
            string raw = m.Value.TrimEnd('.', ',', ';', ':', '!', '?', '*', '`');
            if (!fragment.Owns(m.Index) || !Uri.TryCreate(raw, UriKind.Absolute, out Uri? url) || url.Host.Length == 0)
            {
                continue;
            }

            EndpointKind kind = EndpointClassifier.Classify(url);
            if (kind == EndpointKind.Documentation || (kind == EndpointKind.Ordinary && fragment.Kind != ContentKind.PickleString))
            {
                continue;
            }

            reported++;
            long? offset = fragment.Offset is { } start ? start + m.Index : null;
            // The query string can carry tokens and personal data; the evidence stops at the path.
            string shown = url.GetLeftPart(UriPartial.Path);
            if (kind == EndpointKind.Ordinary)
            {
                context.Report(RuleIds.UrlInPickle, $"A pickle string is a URL ({url.Host}).", offset, shown, scanner: Name);
            }
            else if (HasPrimitiveNearby(text, m.Index, m.Length, fragment.Kind) is { } primitive)
            {
                context.Report(RuleIds.SuspiciousEndpointWithPrimitive,
                    $"{Describe(kind)} ({url.Host}) next to '{primitive}' in {fragment.Describe()}.", offset, shown, scanner: Name);
            }
            else
            {
                context.Report(RuleIds.SuspiciousEndpoint, $"{Describe(kind)} ({url.Host}) in {fragment.Describe()}.", offset, shown, scanner: Name);
            }
        }
    }

    private static string? HasPrimitiveNearby(string text, int index, int length, ContentKind kind)
    {
        int start = kind == ContentKind.PickleString ? 0 : Math.Max(0, index - CorroborationWindow);
        int end = kind == ContentKind.PickleString ? text.Length : Math.Min(text.Length, index + length + CorroborationWindow);
        Match primitive = Primitive().Match(text, start, end - start);
        return primitive.Success ? primitive.Value.Trim() : null;
    }

    private static string Describe(EndpointKind kind) => kind switch
    {
        EndpointKind.Shortener => "A link shortener",
        EndpointKind.Tunnel => "A tunnel endpoint",
        EndpointKind.DropOrWebhook => "A paste, file-drop or webhook endpoint",
        EndpointKind.RawIp => "A URL to a raw public IP address",
        EndpointKind.UnusualPort => "A URL on a port reverse shells use",
        EndpointKind.Executable => "A direct link to an executable or script",
        _ => "A URL",
    };

    [GeneratedRegex(@"\b(?:https?|ftps?|wss?|tcp)://[^\s""'<>()\[\]{}\\|^`]{3,2048}", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    // Download-and-run and exfiltration primitives in shells, PowerShell and Python.
    [GeneratedRegex(@"\bcurl\b|\bwget\b|Invoke-WebRequest|Invoke-RestMethod|\biwr\b|Invoke-Expression|\biex\b|\|\s*(?:ba|z)?sh\b|\bbash\s+-c\b|\bpowershell\b|os\.system|os\.popen|subprocess|urlopen|urlretrieve|requests\.(?:get|post|put)|socket\.|\bexec\s*\(|\beval\s*\(|chmod\s+\+x|\bcertutil\b|\bbitsadmin\b|\bnc\s+-e\b",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Primitive();
}
