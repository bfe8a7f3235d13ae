using System.Management.Automation;

namespace ModelAudit.Commands;

/// <summary>
/// <para type="synopsis">Lists the rules a finding can carry: id, severity, category, description, CVEs.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ModelScanRule", HelpUri = HelpUri)]
[OutputType(typeof(ModelRule))]
public sealed class GetModelScanRuleCommand : PSCmdlet
{
    private const string HelpUri = "https://github.com/modelaudit/ModelAudit.PowerShell/blob/main/docs/cmdlets/Get-ModelScanRule.md";

    /// <summary>Rule ids to list (wildcards allowed). All rules when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("RuleId")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(RuleIdCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary>Only rules of these default severities.</summary>
    [Parameter]
    public Severity[] Severity { get; set; } = Array.Empty<Severity>();

    /// <summary>Only rules in these categories.</summary>
    [Parameter]
    public FindingCategory[] Category { get; set; } = Array.Empty<FindingCategory>();

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var patterns = Id.Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToArray();
        foreach (ModelRule rule in ScanRunner.Rules)
        {
            if ((patterns.Length == 0 || patterns.Any(p => p.IsMatch(rule.Id)))
                && (Severity.Length == 0 || Severity.Contains(rule.Severity))
                && (Category.Length == 0 || Category.Contains(rule.Category)))
            {
                WriteObject(rule);
            }
        }

        foreach (string id in Id.Where(i => !WildcardPattern.ContainsWildcardCharacters(i)))
        {
            if (!ScanRunner.Rules.Any(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase)))
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"No rule has the id '{id}'."), "ModelRuleNotFound", ErrorCategory.ObjectNotFound, id));
            }
        }
    }
}
