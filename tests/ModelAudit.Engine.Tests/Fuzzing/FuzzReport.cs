using System.Text;

namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>What a fuzz campaign did: turns, executions per parser and their time, the engine passes, and every
/// distinct broken invariant with the first input that broke it.</summary>
internal sealed class FuzzReport
{
    public TimeSpan Elapsed { get; set; }

    /// <summary>Inputs that went through the whole engine (every <see cref="FuzzCampaign.EngineEvery"/>th turn).</summary>
    public long EngineInputs { get; set; }

    public double EngineSeconds { get; set; }

    public SortedDictionary<string, FuzzParserCount> Parsers { get; } = new(StringComparer.Ordinal);

    public long Turns => Parsers.Values.Sum(p => p.Turns);

    /// <summary>Direct executions of every parser together.</summary>
    public long Executions => Parsers.Values.Sum(p => p.Executions);

    /// <summary>Distinct violations (by invariant and where it broke), each with the saved input's path or seed.</summary>
    public List<(FuzzViolation Violation, string Input)> Violations { get; } = new();

    /// <summary>Seeds whose own verdict is not what their folder says (a precondition of the invariants).</summary>
    public List<string> SeedProblems { get; } = new();

    public long MaxAllocatedBytes { get; set; }

    public TimeSpan SlowestInput { get; set; }

    /// <summary>The seed and mutations of the slowest input, to look at when the rate drops.</summary>
    public string SlowestInputName { get; set; } = "";

    public FuzzParserCount Count(string parser)
    {
        if (!Parsers.TryGetValue(parser, out FuzzParserCount? count))
        {
            count = new FuzzParserCount();
            Parsers[parser] = count;
        }

        return count;
    }

    public string Format()
    {
        var text = new StringBuilder();
        text.AppendLine($"{Executions:N0} direct executions in {Turns:N0} turns, {Elapsed.TotalMinutes:0.0} min ({Executions / Math.Max(1, Elapsed.TotalSeconds):0} per second); "
            + $"{EngineInputs:N0} inputs through the whole engine ({EngineSeconds:0} s); {Violations.Count} distinct violations; most allocated {MaxAllocatedBytes:N0} bytes; "
            + $"slowest {SlowestInput.TotalMilliseconds:N0} ms ({SlowestInputName})");
        text.AppendLine($"  {"parser",-24} {"executions",12} {"per s",7} {"mutants",12} {"missed",9} {"seconds",8} {"in engine",10}");
        foreach (var (parser, count) in Parsers)
        {
            text.AppendLine($"  {parser,-24} {count.Executions,12:N0} {count.Executions / Math.Max(0.001, count.Seconds),7:0} {count.Mutants,12:N0} {count.Misses,9:N0} {count.Seconds,8:0} {count.EngineExecutions,10:N0}");
        }

        foreach (string problem in SeedProblems)
        {
            text.AppendLine("seed: " + problem);
        }

        foreach (var (violation, input) in Violations)
        {
            text.AppendLine($"VIOLATION {violation.Invariant} [{input}]");
            text.AppendLine("  " + violation.Detail.Replace("\n", "\n  "));
        }

        return text.ToString();
    }
}
