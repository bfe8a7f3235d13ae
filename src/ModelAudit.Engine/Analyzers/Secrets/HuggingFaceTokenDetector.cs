using System.Text.RegularExpressions;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>Hugging Face user access tokens (hf_ and 34 letters) and organisation API tokens (api_org_).</summary>
internal sealed partial class HuggingFaceTokenDetector : PatternDetector
{
    protected override Regex Pattern => Token();

    protected override string Kind => "Hugging Face token";

    protected override string ShownPrefix(string value) => value.StartsWith("hf_", StringComparison.Ordinal) ? "hf_" : "api_org_";

    // Issued tokens mix upper and lower case at random; a vocabulary word after hf_ does not.
    protected override bool IsValid(string value) => SecretText.Classes(value.AsSpan(value.IndexOf('_') + 1)) >= 2
        && SecretText.Entropy(value) >= 3.5;

    [GeneratedRegex(@"\b(?:hf_[A-Za-z]{34}|api_org_[A-Za-z]{34})\b", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
