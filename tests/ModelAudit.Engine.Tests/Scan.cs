using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Tests;

/// <summary>Helpers that run the real engine over bytes built in the test or over committed fixtures.</summary>
internal static class Scan
{
    public static ModelScanResult Bytes(byte[] data, string name = "sample.bin", ScanOptions? options = null) =>
        new ScanEngine(options ?? new ScanOptions()).Scan(new ScanItem(name, data.Length, () => new MemoryStream(data, writable: false)), CancellationToken.None);

    public static ModelScanResult File(string path, ScanOptions? options = null) =>
        new ScanEngine(options ?? new ScanOptions()).Scan(LocalFileSource.ItemFor(path), CancellationToken.None);

    public static string RepoRoot { get; } = FindRoot();

    public static string Fixture(string relative) => Path.Combine(RepoRoot, "tests", "fixtures", relative);

    public static IEnumerable<string> RuleIds(this ModelScanResult result) => result.Findings.Select(f => f.RuleId);

    public static bool Has(this ModelScanResult result, string ruleId, Severity? severity = null) =>
        result.Findings.Any(f => f.RuleId == ruleId && (severity is null || f.Severity == severity));

    public static string Describe(this ModelScanResult result) =>
        $"{result.Outcome} {result.Format}: " + string.Join(" | ", result.Findings.Select(f => $"{f.Severity} {f.RuleId} {f.Member} {f.Message}"));

    private static string FindRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir, "ModelAudit.psd1")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("repository root not found");
    }
}
