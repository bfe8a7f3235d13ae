using System.Management.Automation;

namespace ModelAudit.Commands;

/// <summary>
/// <para type="synopsis">Writes a CycloneDX 1.6 ML-BOM of scanned model files.</para>
/// <para type="description">One machine-learning-model component per model file, with its SHA-256, model card, scan
/// outcome and rule counts, and the CVEs findings attribute to it as vulnerabilities. Written atomically.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "ModelSbom", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, HelpUri = HelpUri)]
[OutputType(typeof(FileInfo))]
public sealed class ExportModelSbomCommand : ModelReportFileCommandBase
{
    private const string HelpUri = "https://github.com/modelaudit/ModelAudit.PowerShell/blob/main/docs/cmdlets/Export-ModelSbom.md";

    /// <summary>Derive the BOM serial number from the files, hashes and findings instead of a random one, so the same
    /// scan gives the same BOM (apart from its timestamp).</summary>
    [Parameter]
    public SwitchParameter DeterministicSerialNumber { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing() => WriteReportFile("CycloneDx", "a CycloneDX SBOM", DeterministicSerialNumber);
}
