using System.Text.RegularExpressions;
using ModelAudit.Engine.Rules;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>
/// AWS access key ids (AKIA long-term, ASIA temporary), paired with their secret access key when one is assigned
/// nearby (.aws/credentials, environment exports, boto3 arguments): the pair is a working credential, Critical; an id
/// alone identifies an account and is a Warning.
/// </summary>
internal sealed partial class AwsKeyDetector : ISecretDetector
{
    // How far from the id a secret may be and still be its pair: a credentials profile spans a few lines.
    private const int PairWindow = 400;

    public IEnumerable<SecretHit> Find(string text)
    {
        int hits = 0;
        for (Match m = KeyId().Match(text); m.Success && hits < 20; m = m.NextMatch())
        {
            string id = m.Value;
            if (SecretText.IsPlaceholder(id))
            {
                continue;
            }

            hits++;
            int start = Math.Max(0, m.Index - PairWindow);
            int end = Math.Min(text.Length, m.Index + id.Length + PairWindow);
            Match secret = SecretKey().Match(text, start, end - start);
            bool paired = secret.Success && !SecretText.IsPlaceholder(secret.Groups["secret"].Value)
                && SecretText.Classes(secret.Groups["secret"].Value) >= 3;
            yield return paired
                ? new SecretHit(RuleIds.AwsKeyPair, "AWS access key id with its secret access key", m.Index, id[..4], id + ":" + secret.Groups["secret"].Value)
                : new SecretHit(RuleIds.EmbeddedSecret, "AWS access key id", m.Index, id[..4], id);
        }
    }

    // Key ids are base32: upper-case letters and the digits 2-7.
    [GeneratedRegex(@"\b(?:AKIA|ASIA)[A-Z2-7]{16}\b", RegexOptions.CultureInvariant)]
    private static partial Regex KeyId();

    [GeneratedRegex(@"(?i:aws_?secret_?(?:access_?)?key|secret_?access_?key|SecretAccessKey)[""']?\s*[:=]\s*[""']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
        RegexOptions.CultureInvariant)]
    private static partial Regex SecretKey();
}
