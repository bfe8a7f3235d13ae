namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>What one fuzzed input did: the invariants it broke and the parsers that ran on it directly.</summary>
internal sealed class FuzzExecution
{
    public List<FuzzViolation> Violations { get; } = new();

    public List<string> Parsers { get; } = new();

    public ScanOutcome Outcome { get; set; }

    public TimeSpan Elapsed { get; set; }

    public long AllocatedBytes { get; set; }

    /// <summary>Decompressed bytes of the largest direct scan (the allocation budget grows with them).</summary>
    public long ExpandedBytes { get; set; }
}
