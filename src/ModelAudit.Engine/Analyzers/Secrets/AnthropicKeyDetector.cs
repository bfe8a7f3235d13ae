using System.Text.RegularExpressions;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>Anthropic API and admin keys: sk-ant-api03-… / sk-ant-admin01-… with a long base64url body.</summary>
internal sealed partial class AnthropicKeyDetector : PatternDetector
{
    protected override Regex Pattern => Key();

    protected override string Kind => "Anthropic API key";

    protected override string ShownPrefix(string value) => "sk-ant-";

    protected override bool IsValid(string value) => SecretText.Entropy(value) >= 4.0;

    [GeneratedRegex(@"\bsk-ant-(?:api|admin|oat)\d{2}-[A-Za-z0-9_-]{80,120}", RegexOptions.CultureInvariant)]
    private static partial Regex Key();
}
