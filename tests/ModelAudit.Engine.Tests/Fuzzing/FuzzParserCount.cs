namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>What one parser got in a campaign: its turns, the mutants made for them, the executions (a mutant its
/// Sniff took, scanned by it alone), the turns where it took none, the time of its turns, and how often it also ran
/// in the engine passes.</summary>
internal sealed class FuzzParserCount
{
    public long Turns { get; set; }

    public long Mutants { get; set; }

    public long Executions { get; set; }

    public long Misses { get; set; }

    public double Seconds { get; set; }

    public long EngineExecutions { get; set; }
}
