using System.Text.RegularExpressions;
using ModelAudit.Engine.Rules;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>
/// Connection URLs with a user and password (postgres://user:password@host, mongodb+srv://…, redis://:pw@…,
/// https://user:token@host). The evidence shows the scheme and host only.
/// </summary>
internal sealed partial class UrlPasswordDetector : ISecretDetector
{
    // Words that stand in for a password in docs and templates.
    private static readonly string[] s_placeholderPasswords = { "password", "passwd", "pass", "pwd", "secret", "user", "username" };

    public IEnumerable<SecretHit> Find(string text)
    {
        int hits = 0;
        // Only around "://" (a scheme is at most 12 characters before it): the regex alone tries every word.
        for (int at = text.IndexOf("://", StringComparison.Ordinal); at >= 0 && hits < 20; at = text.IndexOf("://", at + 3, StringComparison.Ordinal))
        {
            int start = Math.Max(0, at - 12);
            Match m = Url().Match(text, start, Math.Min(text.Length, at + 3 + 64 + 1 + 128 + 1 + 253) - start);
            if (!m.Success)
            {
                continue;
            }

            string password = m.Groups["password"].Value;
            if (password.Length < 4 || SecretText.IsPlaceholder(password) || password.StartsWith('$') || password.StartsWith('%')
                || s_placeholderPasswords.Contains(password, StringComparer.OrdinalIgnoreCase) || password.All(c => c == '*'))
            {
                continue;
            }

            hits++;
            string shown = $"{m.Groups["scheme"].Value}://…@{m.Groups["host"].Value}";
            yield return new SecretHit(RuleIds.UrlPassword, "connection URL with a password", m.Index, shown, password);
        }
    }

    [GeneratedRegex(@"\b(?<scheme>postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|ftps?|sftp|smtps?|https?)://(?<user>[^:/\s@""'<>]{0,64}):(?<password>[^@\s/""'<>]{1,128})@(?<host>[A-Za-z0-9.-]{1,253})",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Url();
}
