using System.Management.Automation;

namespace ModelAudit.Commands;

/// <summary>
/// <para type="synopsis">Scans model files for code execution, archive exploits and other risks, without loading them.</para>
/// <para type="description">Emits one ModelScanResult per file, with its format, SHA-256, outcome and findings.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ModelScan", DefaultParameterSetName = PathSet, HelpUri = HelpUri)]
[OutputType(typeof(ModelScanResult))]
public sealed class InvokeModelScanCommand : ModelScanCommandBase
{
    private const string HelpUri = "https://github.com/modelaudit/ModelAudit.PowerShell/blob/main/docs/cmdlets/Invoke-ModelScan.md";
    private readonly List<ModelScanResult> _results = new();

    /// <summary>Findings below this severity are left out of the results.</summary>
    [Parameter]
    public Severity MinimumSeverity { get; set; } = Severity.Info;

    /// <summary>Sets the process exit code when done: 0 clean, 1 Warning or Critical findings, 2 errors, inconclusive or nothing scanned.</summary>
    [Parameter]
    public SwitchParameter EnableExit { get; set; }

    /// <inheritdoc />
    protected override Severity FindingThreshold => MinimumSeverity;

    /// <inheritdoc />
    protected override void HandleResult(ModelScanResult result, int input)
    {
        if (EnableExit)
        {
            _results.Add(result);
        }

        WriteObject(result);
    }

    /// <inheritdoc />
    protected override void Complete()
    {
        if (EnableExit)
        {
            int code = ScanRunner.ExitCodeFor(_results, HadErrors);
            SessionState.PSVariable.Set("global:LASTEXITCODE", code);
            Host.SetShouldExit(code);
        }
    }
}
