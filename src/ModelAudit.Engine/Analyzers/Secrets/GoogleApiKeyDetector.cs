using System.Text.RegularExpressions;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>Google API keys: "AIza" and 35 base64url characters.</summary>
internal sealed partial class GoogleApiKeyDetector : PatternDetector
{
    protected override Regex Pattern => Key();

    protected override string Kind => "Google API key";

    protected override string ShownPrefix(string value) => "AIza";

    protected override bool IsValid(string value) => SecretText.Classes(value.AsSpan(4)) >= 3;

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", RegexOptions.CultureInvariant)]
    private static partial Regex Key();
}
