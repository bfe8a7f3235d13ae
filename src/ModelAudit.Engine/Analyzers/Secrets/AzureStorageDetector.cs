using System.Text.RegularExpressions;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>
/// Azure storage credentials: an account key in a connection string (AccountKey= and 64 bytes of base64) or a
/// shared access signature (a URL query with both sv= and sig=).
/// </summary>
internal sealed partial class AzureStorageDetector : PatternDetector
{
    protected override Regex Pattern => Credential();

    protected override string Kind => "Azure storage key or SAS token";

    protected override string ShownPrefix(string value) =>
        value.StartsWith("AccountKey", StringComparison.OrdinalIgnoreCase) ? "AccountKey=" : "sig=";

    protected override bool MayContain(string text) =>
        text.Contains("AccountKey=", StringComparison.Ordinal) || text.Contains("sig=", StringComparison.Ordinal);

    protected override bool IsValid(string value) => SecretText.Entropy(value) >= 4.0;

    [GeneratedRegex(@"AccountKey=[A-Za-z0-9+/]{86}==|(?<=[?&]sv=\d{4}-\d{2}-\d{2}[^\s""'<>]{0,400}?[?&])sig=[A-Za-z0-9%+/]{40,120}(?:%3D|=){0,2}",
        RegexOptions.CultureInvariant)]
    private static partial Regex Credential();
}
