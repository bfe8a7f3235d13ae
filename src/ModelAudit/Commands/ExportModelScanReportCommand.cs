using System.Management.Automation;
using System.Text;

namespace ModelAudit.Commands;

/// <summary>
/// <para type="synopsis">Writes scan results as a JSON or SARIF 2.1.0 report.</para>
/// <para type="description">Collects ModelScanResult objects from the pipeline (live or deserialized) and writes one
/// report, atomically. With -AsString the report text is output instead of written.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "ModelScanReport", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, HelpUri = HelpUri)]
[OutputType(typeof(FileInfo), typeof(string))]
public sealed class ExportModelScanReportCommand : ModelReportFileCommandBase
{
    private const string HelpUri = "https://github.com/modelaudit/ModelAudit.PowerShell/blob/main/docs/cmdlets/Export-ModelScanReport.md";
    private const string AsStringSet = "AsString";

    /// <summary>Json (ModelAudit's own schema, also what -Baseline reads) or Sarif (SARIF 2.1.0, for code scanning).</summary>
    [Parameter(Mandatory = true)]
    [ValidateSet("Json", "Sarif")]
    public string Format { get; set; } = "Json";

    /// <summary>Output the report text instead of writing a file.</summary>
    [Parameter(ParameterSetName = AsStringSet, Mandatory = true)]
    public SwitchParameter AsString { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (AsString)
        {
            WriteObject(Encoding.UTF8.GetString(Render(Format)));
            return;
        }

        WriteReportFile(Format, Format == "Sarif" ? "a SARIF report" : "a JSON report");
    }
}
