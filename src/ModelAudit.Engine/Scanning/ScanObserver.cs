namespace ModelAudit.Engine.Scanning;

/// <summary>
/// Records what a scan looked at: every member it dispatched and every pickle event, in order. Used by
/// Get-ModelPickleTrace and by the differential tests that compare the engine with CPython and zipfile.
/// </summary>
internal sealed class ScanObserver
{
    /// <summary>Pickle imports, calls and builds, in stream order.</summary>
    public List<PickleTraceEntry> Trace { get; } = new();

    /// <summary>Every import resolved by a pickle stream, in stream order.</summary>
    public List<ObservedImport> Imports { get; } = new();

    /// <summary>Member paths that were dispatched for detection ('!'-joined; the file itself is not listed).</summary>
    public List<string> Members { get; } = new();
}
