using ModelAudit.Engine.Reporting;

namespace ModelAudit.Commands;

/// <summary>The export cmdlets' door into the engine's report writers (kept out of cmdlet signatures, as
/// <see cref="ScanRunner"/> is, so PowerShell can reflect over the cmdlets before the engine is loaded).</summary>
internal static class ReportRunner
{
    public static byte[] Render(IReadOnlyList<ModelScanResult> results, ReportRequest request) =>
        ReportWriters.ToBytes(request.Format, new ScanReport(results)
        {
            BasePath = request.BasePath,
            DeterministicSerialNumber = request.DeterministicSerialNumber,
            Settings = request.Settings,
        });
}
