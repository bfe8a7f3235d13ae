namespace ModelAudit;

/// <summary>
/// The verdict for one scanned file, ordered from least to most serious so that
/// <c>Sort-Object Outcome -Descending</c> lists files with findings first.
/// </summary>
public enum ScanOutcome
{
    /// <summary>Fully scanned; no Warning or Critical finding.</summary>
    Clean = 0,

    /// <summary>Coverage is incomplete: a limit was hit, a part could not be parsed, or the format is not scanned yet.</summary>
    Inconclusive = 1,

    /// <summary>The file could not be read at all.</summary>
    Error = 2,

    /// <summary>At least one Warning or Critical finding.</summary>
    Issues = 3,
}
