using System.Management.Automation;

namespace ModelAudit.Commands;

/// <summary>
/// <para type="synopsis">Returns $true when a file (or every file in a folder) scans clean at -MinimumSeverity; for if gates.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "ModelFile", DefaultParameterSetName = PathSet, HelpUri = HelpUri)]
[OutputType(typeof(bool))]
public sealed class TestModelFileCommand : ModelScanCommandBase
{
    private const string HelpUri = "https://github.com/modelaudit/ModelAudit.PowerShell/blob/main/docs/cmdlets/Test-ModelFile.md";
    private readonly Dictionary<int, bool> _verdicts = new();

    /// <summary>The lowest severity that makes a file fail the test. Inconclusive and unreadable files always fail.</summary>
    [Parameter]
    public Severity MinimumSeverity { get; set; } = Severity.Warning;

    /// <inheritdoc />
    protected override Severity FindingThreshold => MinimumSeverity;

    /// <inheritdoc />
    protected override void HandleResult(ModelScanResult result, int input)
    {
        bool clean = result.Outcome is not (ScanOutcome.Error or ScanOutcome.Inconclusive)
            && !result.Findings.Any(f => f.Severity >= MinimumSeverity && !f.IsSuppressed);
        _verdicts[input] = (_verdicts.TryGetValue(input, out bool soFar) ? soFar : true) && clean;
    }

    /// <inheritdoc />
    protected override void Complete()
    {
        for (int i = 0; i < Inputs.Count; i++)
        {
            // A folder with no file to scan proves nothing: not clean.
            WriteObject(_verdicts.TryGetValue(i, out bool clean) && clean);
        }
    }
}
