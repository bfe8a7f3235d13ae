using System.Management.Automation;

namespace ModelAudit.Commands;

/// <summary>
/// <para type="synopsis">Lists findings, from scan results on the pipeline or by scanning paths.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ModelFinding", DefaultParameterSetName = PathSet, HelpUri = HelpUri)]
[OutputType(typeof(ModelFinding))]
public sealed class GetModelFindingCommand : ModelScanCommandBase
{
    private const string HelpUri = "https://github.com/modelaudit/ModelAudit.PowerShell/blob/main/docs/cmdlets/Get-ModelFinding.md";
    private const string InputObjectSet = "InputObject";
    private WildcardPattern[]? _rulePatterns;

    /// <summary>Scan results (from Invoke-ModelScan) whose findings to list.</summary>
    [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    public ModelScanResult[] InputObject { get; set; } = Array.Empty<ModelScanResult>();

    /// <summary>Only findings of these severities.</summary>
    [Parameter]
    public Severity[] Severity { get; set; } = Array.Empty<Severity>();

    /// <summary>Only findings whose rule id matches one of these (wildcards allowed, e.g. MA1*).</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(RuleIdCompleter))]
    public string[] RuleId { get; set; } = Array.Empty<string>();

    /// <summary>Only findings in these categories.</summary>
    [Parameter]
    public FindingCategory[] Category { get; set; } = Array.Empty<FindingCategory>();

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _rulePatterns = RuleId.Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToArray();
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputObjectSet)
        {
            foreach (ModelScanResult result in InputObject)
            {
                HandleResult(result, 0);
            }

            return;
        }

        base.ProcessRecord();
    }

    /// <inheritdoc />
    protected override void HandleResult(ModelScanResult result, int input)
    {
        foreach (ModelFinding finding in result.Findings)
        {
            if ((Severity.Length == 0 || Severity.Contains(finding.Severity))
                && (Category.Length == 0 || Category.Contains(finding.Category))
                && (_rulePatterns!.Length == 0 || _rulePatterns.Any(p => p.IsMatch(finding.RuleId))))
            {
                WriteObject(finding);
            }
        }
    }
}
