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

    /// <summary>
    /// Sets the process exit code when done: 0 clean, 1 Warning or Critical findings, 2 errors, inconclusive or
    /// nothing scanned. The code is sticky for the session: a later call can raise it, never lower it.
    /// </summary>
    [Parameter]
    public SwitchParameter EnableExit { get; set; }

    /// <summary>Analyses tensor values (NaN/Inf, outlier neurons, extreme weights) whatever the file's size; by
    /// default only files up to 4 GiB are analysed.</summary>
    [Parameter]
    public SwitchParameter AnalyzeWeights { get; set; }

    /// <summary>Does not analyse tensor values, even in files small enough for the default.</summary>
    [Parameter]
    public SwitchParameter SkipWeightAnalysis { get; set; }

    /// <inheritdoc />
    protected override bool? AnalyzeWeightsSetting
    {
        get
        {
            if (AnalyzeWeights && SkipWeightAnalysis)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-AnalyzeWeights and -SkipWeightAnalysis cannot be used together."),
                    "ModelWeightAnalysisConflict", ErrorCategory.InvalidArgument, null));
            }

            return AnalyzeWeights ? true : SkipWeightAnalysis ? false : null;
        }
    }

    /// <inheritdoc />
    protected override Severity FindingThreshold => MinimumSeverity;

    /// <inheritdoc />
    protected override bool DeferErrors => EnableExit;

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
            SetExit(ScanRunner.ExitCodeFor(_results, HadErrors));
        }
    }

    /// <inheritdoc />
    protected override void Stopped()
    {
        // Stopped early (Ctrl+C, Select-Object -First, a terminating error): what was not scanned is not clean.
        if (EnableExit)
        {
            SetExit(ScanRunner.ExitCodeFor(_results, hadErrors: true));
        }
    }

    private void SetExit(int code)
    {
        int sticky = SessionExitCode.Raise(code);
        SessionState.PSVariable.Set("global:LASTEXITCODE", sticky);
        Host.SetShouldExit(sticky);
    }
}
