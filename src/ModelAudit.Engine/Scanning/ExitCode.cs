namespace ModelAudit.Engine.Scanning;

/// <summary>The process exit codes of DESIGN §4, computed from results.</summary>
public static class ExitCode
{
    /// <summary>Nothing at Warning or above and no errors.</summary>
    public const int Clean = 0;

    /// <summary>At least one Warning or Critical finding (findings are never hidden behind an error).</summary>
    public const int Findings = 1;

    /// <summary>No such findings, but a scan error, inconclusive coverage, or nothing scanned at all.</summary>
    public const int Incomplete = 2;

    public static int For(IReadOnlyCollection<ModelScanResult> results, bool hadErrors)
    {
        // Suppressed findings (policy, baseline) are accepted: the code follows the others only.
        if (results.Any(r => r.Findings.Any(f => f.Severity >= Severity.Warning && !f.IsSuppressed)))
        {
            return Findings;
        }

        if (hadErrors || results.Count == 0 || results.Any(r => r.Outcome is ScanOutcome.Error or ScanOutcome.Inconclusive || !r.CoverageComplete))
        {
            return Incomplete;
        }

        return Clean;
    }
}
