using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ModelAudit.Commands;

/// <summary>Tab completion for rule ids (-Id, -RuleId) from the rule catalog, with each rule's title as the tooltip.</summary>
public sealed class RuleIdCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = new WildcardPattern(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return ScanRunner.Rules.Where(r => pattern.IsMatch(r.Id))
            .Select(r => new CompletionResult(r.Id, r.Id, CompletionResultType.ParameterValue, $"{r.Severity} {r.Title}"))
            .ToArray();
    }
}
