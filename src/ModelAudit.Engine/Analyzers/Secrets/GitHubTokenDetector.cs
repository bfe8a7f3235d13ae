using System.Text;
using System.Text.RegularExpressions;
using ModelAudit.Engine.IO;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>
/// GitHub tokens: classic ghp_/gho_/ghu_/ghs_/ghr_ tokens end in a base62 CRC-32 of their 30 random characters,
/// so only tokens GitHub could have issued are reported; fine-grained github_pat_ tokens are matched by their shape.
/// </summary>
internal sealed partial class GitHubTokenDetector : PatternDetector
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    protected override Regex Pattern => Token();

    protected override string Kind => "GitHub token";

    protected override bool SelfValidating => true;

    protected override string ShownPrefix(string value) => value.StartsWith("github_pat_", StringComparison.Ordinal) ? "github_pat_" : value[..4];

    protected override bool IsValid(string value) =>
        value.StartsWith("github_pat_", StringComparison.Ordinal) ? !SecretText.IsPlaceholder(value) && SecretText.Classes(value.AsSpan(11)) >= 3 : HasValidChecksum(value);

    /// <summary>The last six characters are the base62 CRC-32 of the thirty before them, left-padded with '0'.</summary>
    public static bool HasValidChecksum(string token)
    {
        string random = token[4..34];
        uint crc = Crc32.Append(0, Encoding.ASCII.GetBytes(random));
        return string.Equals(token[34..], EncodeBase62(crc), StringComparison.Ordinal);
    }

    public static string EncodeBase62(uint value)
    {
        var chars = new char[6];
        for (int i = 5; i >= 0; i--)
        {
            chars[i] = Base62[(int)(value % 62)];
            value /= 62;
        }

        return new string(chars);
    }

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
