using System.Management.Automation;

namespace ModelAudit.Commands;

/// <summary>
/// Shared by the report cmdlets: collects scan results from the pipeline (live ones, or deserialized ones from
/// Import-Clixml, jobs and remoting) in input order, and renders them once all have arrived.
/// </summary>
public abstract class ModelReportCommandBase : PSCmdlet
{
    private readonly List<ModelScanResult> _results = new();

    /// <summary>Scan results from Invoke-ModelScan, here or on another machine (deserialized results are accepted).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [AllowEmptyCollection]
    public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

    /// <summary>Paths under this folder are written relative to it (SARIF %SRCROOT%, SBOM bom-refs), so a report made in
    /// a CI checkout maps onto the repository. Defaults to the current location.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BasePath { get; set; }

    /// <summary>The results collected so far.</summary>
    protected IReadOnlyList<ModelScanResult> Results => _results;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (PSObject input in InputObject)
        {
            if (ResultConverter.From(input) is { } result)
            {
                _results.Add(result);
            }
            else
            {
                WriteError(new ErrorRecord(
                    new ArgumentException($"A report is made from ModelScanResult objects (Invoke-ModelScan); got {input.TypeNames.FirstOrDefault()}."),
                    "ModelReportInputInvalid", ErrorCategory.InvalidType, input));
            }
        }
    }

    /// <summary>Renders the collected results in <paramref name="format"/>.</summary>
    protected byte[] Render(string format, bool deterministicSerialNumber = false)
    {
        string basePath = BasePath is null
            ? SessionState.Path.CurrentFileSystemLocation.ProviderPath
            : SessionState.Path.GetUnresolvedProviderPathFromPSPath(BasePath);
        return ReportRunner.Render(_results, new ReportRequest(format, basePath, deterministicSerialNumber,
            new Dictionary<string, string>(StringComparer.Ordinal)));
    }
}
