using System.Text.RegularExpressions;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>
/// OpenAI API keys (sk-, sk-proj-, sk-svcacct-, sk-admin-). Every issued key carries "T3BlbkFJ" (base64 of
/// "OpenAI") in its middle, which sets them apart from the many other "sk-" words in vocabularies and docs.
/// </summary>
internal sealed partial class OpenAiKeyDetector : PatternDetector
{
    protected override Regex Pattern => Key();

    protected override string Kind => "OpenAI API key";

    protected override string ShownPrefix(string value) => value[..(value.IndexOf('-', 3) is > 0 and < 12 and var dash ? dash + 1 : 3)];

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}", RegexOptions.CultureInvariant)]
    private static partial Regex Key();
}
