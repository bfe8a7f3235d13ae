using System.Text;

namespace ModelAudit.Engine.Tests.Differential;

/// <summary>Counts of a differential run and its disagreements. Thread-safe.</summary>
internal sealed class DifferentialSummary
{
    private readonly object _gate = new();
    private readonly Dictionary<string, int> _byGen = new(StringComparer.Ordinal);

    public int Cases { get; private set; }

    public int Checked { get; private set; }

    public int Skipped { get; private set; }

    public List<DifferentialDisagreement> Disagreements { get; } = new();

    public int DisagreeingCases { get; private set; }

    /// <summary>Known disagreements (skipped) on which the engine now agrees with CPython.</summary>
    public List<string> NowAgreeing { get; } = new();

    public void Add(DifferentialCase c, bool skipped, List<DifferentialDisagreement>? problems)
    {
        lock (_gate)
        {
            Cases++;
            if (skipped)
            {
                Skipped++;
                if (problems is not { Count: > 0 })
                {
                    NowAgreeing.Add(c.Id);
                }

                return;
            }

            Checked++;
            string gen = c.Gen.Split(':')[0];
            _byGen[gen] = _byGen.GetValueOrDefault(gen) + 1;
            if (problems is { Count: > 0 })
            {
                DisagreeingCases++;
                Disagreements.AddRange(problems);
            }
        }
    }

    public string Format(long informational, IReadOnlyDictionary<string, long> notes, int maxListed = 100)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{Checked} cases checked, {Skipped} skipped (known disagreements), {DisagreeingCases} disagreeing cases, {Disagreements.Count} disagreements, {informational} informational events (after a non-importable name).");
        sb.AppendLine("notes (not failures): " + string.Join(", ", notes.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")));
        sb.AppendLine("by check: " + string.Join(", ", Disagreements.GroupBy(d => d.Check).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}")));
        sb.AppendLine("cases by generator: " + string.Join(", ", _byGen.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")));
        foreach (DifferentialDisagreement d in Disagreements.Take(maxListed))
        {
            sb.AppendLine("  " + d);
        }

        if (Disagreements.Count > maxListed)
        {
            sb.AppendLine($"  ... and {Disagreements.Count - maxListed} more");
        }

        return sb.ToString();
    }
}
