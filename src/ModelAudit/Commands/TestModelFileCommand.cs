using System.Management.Automation;

namespace ModelAudit.Commands;

/// <summary>
/// <para type="synopsis">Returns one $true when every input scans clean at -MinimumSeverity, else one $false; for if gates.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "ModelFile", DefaultParameterSetName = PathSet, HelpUri = HelpUri)]
[OutputType(typeof(bool))]
public sealed class TestModelFileCommand : ModelScanCommandBase
{
    private const string HelpUri = "https://github.com/modelaudit/ModelAudit.PowerShell/blob/main/docs/cmdlets/Test-ModelFile.md";
    private bool _allClean = true;
    private bool _anyScanned;

    /// <summary>The lowest severity that makes a file fail the test. Inconclusive and unreadable files always fail.</summary>
    [Parameter]
    public Severity MinimumSeverity { get; set; } = Severity.Warning;

    /// <inheritdoc />
    protected override Severity FindingThreshold => MinimumSeverity;

    /// <inheritdoc />
    protected override bool WarnAboutUnwalkedSubfolders => true;

    /// <inheritdoc />
    protected override void HandleResult(ModelScanResult result, int input)
    {
        _anyScanned = true;
        _allClean &= result.CoverageComplete
            && !result.Findings.Any(f => f.Severity >= MinimumSeverity && !f.IsSuppressed);
    }

    /// <inheritdoc />
    protected override void Complete()
    {
        // One Boolean for all inputs, so `if (Test-ModelFile a, b)` cannot pass on @($true, $false). Nothing scanned
        // proves nothing, and a missing or unreadable path, or a skipped folder link, is not clean.
        WriteObject(_anyScanned && _allClean && !HadErrors && !SkippedSomething);
    }
}
