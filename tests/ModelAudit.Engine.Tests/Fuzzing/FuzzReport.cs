using System.Text;

namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>What a fuzz campaign did: inputs, executions per parser, time, and every distinct broken invariant with
/// the first input that broke it.</summary>
internal sealed class FuzzReport
{
    public long Inputs { get; set; }

    public TimeSpan Elapsed { get; set; }

    public SortedDictionary<string, long> ExecutionsPerParser { get; } = new(StringComparer.Ordinal);

    /// <summary>Distinct violations (by invariant and where it broke), each with the saved input's path or seed.</summary>
    public List<(FuzzViolation Violation, string Input)> Violations { get; } = new();

    /// <summary>Seeds whose own verdict is not what their folder says (a precondition of the invariants).</summary>
    public List<string> SeedProblems { get; } = new();

    public long MaxAllocatedBytes { get; set; }

    public TimeSpan SlowestInput { get; set; }

    /// <summary>The seed and mutations of the slowest input, to look at when the rate drops.</summary>
    public string SlowestInputName { get; set; } = "";

    /// <summary>Seconds spent on each target's inputs (the turn's parser; the engine runs them all).</summary>
    public SortedDictionary<string, double> SecondsPerTarget { get; } = new(StringComparer.Ordinal);

    public string Format()
    {
        var text = new StringBuilder();
        text.AppendLine($"{Inputs:N0} inputs in {Elapsed.TotalMinutes:0.0} min ({Inputs / Math.Max(1, Elapsed.TotalSeconds):0} per second), "
            + $"{Violations.Count} distinct violations, most allocated {MaxAllocatedBytes:N0} bytes, slowest input {SlowestInput.TotalMilliseconds:N0} ms ({SlowestInputName})");
        text.AppendLine($"  {"parser",-24} {"executions",12} {"target s",9}");
        foreach (var (parser, count) in ExecutionsPerParser)
        {
            text.AppendLine($"  {parser,-24} {count,12:N0} {SecondsPerTarget.GetValueOrDefault(parser),9:N0}");
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
