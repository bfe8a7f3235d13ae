using System.Text.RegularExpressions;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>Slack bot, user and app tokens (xoxb-, xoxp-, xapp-…) and incoming-webhook URLs.</summary>
internal sealed partial class SlackDetector : PatternDetector
{
    protected override Regex Pattern => Token();

    protected override string Kind => "Slack token or webhook";

    protected override string ShownPrefix(string value) =>
        value.StartsWith("https://", StringComparison.Ordinal) ? "https://hooks.slack.com/services/" : value[..5];

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?:xox[baprse]-[0-9]{10,13}-[0-9A-Za-z-]{10,}|xapp-\d-[A-Z0-9]{9,12}-\d{10,14}-[a-f0-9]{40,}|https://hooks\.slack\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{20,32})",
        RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
