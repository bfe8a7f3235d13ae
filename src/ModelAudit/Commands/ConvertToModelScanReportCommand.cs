using System.Management.Automation;
using System.Text;

namespace ModelAudit.Commands;

/// <summary>
/// <para type="synopsis">Converts scan results to the text of a JSON, SARIF or CycloneDX report.</para>
/// <para type="description">The same documents Export-ModelScanReport and Export-ModelSbom write, output as one string
/// for piping on (Set-Content, Invoke-RestMethod -Body, a dashboard API).</para>
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "ModelScanReport", HelpUri = HelpUri)]
[OutputType(typeof(string))]
public sealed class ConvertToModelScanReportCommand : ModelReportCommandBase
{
    private const string HelpUri = "https://github.com/modelaudit/ModelAudit.PowerShell/blob/main/docs/cmdlets/ConvertTo-ModelScanReport.md";

    /// <summary>Json (ModelAudit's own schema), Sarif (SARIF 2.1.0) or CycloneDx (CycloneDX 1.6 ML-BOM).</summary>
    [Parameter]
    [ValidateSet("Json", "Sarif", "CycloneDx")]
    public string Format { get; set; } = "Json";

    /// <summary>CycloneDx only: derive the BOM serial number from its content, for reproducible BOMs.</summary>
    [Parameter]
    public SwitchParameter DeterministicSerialNumber { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing() =>
        WriteObject(Encoding.UTF8.GetString(Render(Format, DeterministicSerialNumber)));
}
