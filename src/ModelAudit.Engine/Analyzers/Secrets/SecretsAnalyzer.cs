using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>
/// Finds credentials in any text a scanner extracts. Each detector knows one family and validates its format
/// (checksums, decodable headers, key/value gates), so random tensor names, base64 weights, vocabularies and hashes
/// do not raise alarms. Findings show a masked prefix and a fingerprint, never the value.
/// </summary>
internal sealed class SecretsAnalyzer : IContentAnalyzer
{
    // Shorter text cannot hold any of the credential shapes below.
    private const int MinLength = 16;

    private static readonly ISecretDetector[] s_detectors =
    {
        new PrivateKeyDetector(),
        new AwsKeyDetector(),
        new GitHubTokenDetector(),
        new HuggingFaceTokenDetector(),
        new OpenAiKeyDetector(),
        new AnthropicKeyDetector(),
        new GoogleApiKeyDetector(),
        new SlackDetector(),
        new StripeKeyDetector(),
        new AzureStorageDetector(),
        new JwtDetector(),
        new UrlPasswordDetector(),
        new CredentialAssignmentDetector(),
    };

    public string Name => "Secrets";

    public void Analyze(ContentFragment fragment, ScanContext context)
    {
        string text = fragment.Text;
        if (text.Length < MinLength)
        {
            return;
        }

        // A value found by a specific detector is not reported again by the generic assignment detector.
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (ISecretDetector detector in s_detectors)
        {
            foreach (SecretHit hit in detector.Find(text))
            {
                // Remembered even where it is not reported: a hit in the overlap with the next fragment is that
                // fragment's, and the generic detector must not report it here under another rule.
                if (!reported.Add(hit.Value) || reported.Any(v => v.Length > hit.Value.Length && v.Contains(hit.Value, StringComparison.Ordinal))
                    || !fragment.Owns(hit.Index))
                {
                    continue;
                }

                long? offset = fragment.Offset is { } start ? start + hit.Index : null;
                context.Report(hit.RuleId, $"{Capitalize(hit.Kind)} in {fragment.Describe()}.", offset, SecretMask.Mask(hit.ShownPrefix, hit.Value), scanner: Name);
            }
        }
    }

    private static string Capitalize(string kind) => kind.Length == 0 ? kind : char.ToUpperInvariant(kind[0]) + kind[1..];
}
