using System.Text.RegularExpressions;
using ModelAudit.Engine.Rules;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>
/// PEM, OpenSSH and PGP private key blocks with a key body after the header. Public keys and certificates have
/// other headers; a header alone (a doc naming the format) has no body and is not reported.
/// </summary>
internal sealed partial class PrivateKeyDetector : ISecretDetector
{
    // A real key body is hundreds of base64 characters; 64 (one PEM line) rules out "..." and short stand-ins.
    private const int MinBodyChars = 64;

    // How far after the header the body is looked for (PEM headers such as Proc-Type and DEK-Info come first).
    private const int BodyWindow = 400;

    public IEnumerable<SecretHit> Find(string text)
    {
        int hits = 0;
        for (Match m = Header().Match(text); m.Success && hits < 20; m = m.NextMatch())
        {
            string? body = Body(text, m.Index + m.Length);
            if (body is not null)
            {
                hits++;
                yield return new SecretHit(RuleIds.PrivateKeyBlock, m.Value.Trim('-', ' ').ToLowerInvariant(), m.Index, m.Value, body);
            }
        }
    }

    // Base64 characters after the header, across real or JSON-escaped line breaks and "Name: value" header lines.
    private static string? Body(string text, int start)
    {
        int end = Math.Min(text.Length, start + BodyWindow);
        var body = new System.Text.StringBuilder();
        int i = start;
        while (i < end)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '\\' && i + 1 < end && text[i + 1] is 'n' or 'r')
            {
                i += 2;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=')
            {
                int lineStart = i;
                while (i < end && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '+' or '/' or '=' or '-'))
                {
                    i++;
                }

                if (i < end && text[i] == ':')
                {
                    // A PEM header line (Proc-Type: 4,ENCRYPTED): skip to its end.
                    while (i < end && text[i] is not ('\n' or '\\'))
                    {
                        i++;
                    }

                    continue;
                }

                body.Append(text, lineStart, i - lineStart);
            }
            else
            {
                break;
            }
        }

        return body.Length >= MinBodyChars ? body.ToString() : null;
    }

    [GeneratedRegex(@"-----BEGIN (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED) )?PRIVATE KEY-----|-----BEGIN PGP PRIVATE KEY BLOCK-----", RegexOptions.CultureInvariant)]
    private static partial Regex Header();
}
