using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine;

/// <summary>What the engine knows: rules and formats, as pipeline objects.</summary>
public static class ModelAuditCatalog
{
    /// <summary>Every rule, ordered by id.</summary>
    public static IReadOnlyList<ModelRule> Rules => RuleCatalog.All;

    /// <summary>Every recognised format, with the scanner that reads it; formats come from the scanners' own
    /// declarations, so the list cannot drift from what detection does.</summary>
    public static IReadOnlyList<ModelScannerInfo> Scanners { get; } = ScannerRegistry.Default.Scanners
        .SelectMany(scanner => scanner.Info.Formats.Select(format => (Format: format, Scanner: scanner.Info)))
        .GroupBy(pair => pair.Format.Name, StringComparer.Ordinal)
        .Select(group =>
        {
            (ModelFormat format, ScannerInfo scanner) = group.First();
            return new ModelScannerInfo(format.Name, scanner.Name, scanner.Scans, format.Description, format.Extensions);
        })
        .OrderBy(s => s.Format, StringComparer.Ordinal)
        .ToArray();

    /// <summary>Runs a scan that records the symbolic trace of every pickle in <paramref name="item"/>; the scan's
    /// own result comes with it, so the caller can report an unreadable file as <c>Invoke-ModelScan</c> does.</summary>
    public static (IReadOnlyList<PickleTraceEntry> Trace, ModelScanResult Result) TracePickles(ScanItem item, ScanOptions options, CancellationToken cancellationToken)
    {
        var observer = new ScanObserver();
        ModelScanResult result = new ScanEngine(options).Scan(item, cancellationToken, observer);
        return (observer.Trace, result);
    }
}
