using System.Text.RegularExpressions;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>Stripe live secret and restricted keys (sk_live_, rk_live_). Test-mode keys move no money and are skipped.</summary>
internal sealed partial class StripeKeyDetector : PatternDetector
{
    protected override Regex Pattern => Key();

    protected override string Kind => "Stripe live key";

    protected override string ShownPrefix(string value) => value[..8];

    protected override bool IsValid(string value) => SecretText.Classes(value.AsSpan(8)) >= 2;

    [GeneratedRegex(@"\b[sr]k_live_[A-Za-z0-9]{24,99}\b", RegexOptions.CultureInvariant)]
    private static partial Regex Key();
}
