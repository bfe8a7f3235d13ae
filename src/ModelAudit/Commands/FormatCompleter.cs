using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ModelAudit.Commands;

/// <summary>Tab completion for format names (-Format) from the scanner registry: the names results carry.</summary>
public sealed class FormatCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = new WildcardPattern(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return ScanRunner.Scanners.Where(s => pattern.IsMatch(s.Format))
            .Select(s => new CompletionResult(s.Format, s.Format, CompletionResultType.ParameterValue, s.Description))
            .ToArray();
    }
}
