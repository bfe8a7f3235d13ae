using System.Globalization;
using System.Text;

namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>
/// Counts kept across campaigns (out/fuzz-totals.tsv): per random seed and parser, the turns run, direct executions and
/// seconds. A parser's inputs depend only on the seed and its turn number, so a new run of a seed continues after the
/// turns recorded, and the sum over seeds counts no input twice.
/// </summary>
internal sealed class FuzzTotals
{
    private const string Header = "# seed\tparser\tturns\texecutions\tseconds";

    private readonly Dictionary<(int Seed, string Parser), (long Turns, long Executions, double Seconds)> _rows = new();

    public static FuzzTotals Load(string path)
    {
        var totals = new FuzzTotals();
        if (!File.Exists(path))
        {
            return totals;
        }

        foreach (string line in File.ReadAllLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string[] f = line.Split('\t');
            totals._rows[(int.Parse(f[0], CultureInfo.InvariantCulture), f[1])] = (long.Parse(f[2], CultureInfo.InvariantCulture),
                long.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture));
        }

        return totals;
    }

    /// <summary>Turns already run for this seed and parser: where the next run of the seed starts.</summary>
    public long Turns(int seed, string parser) => _rows.TryGetValue((seed, parser), out var row) ? row.Turns : 0;

    /// <summary>Turns of the parser over every seed: what the scheduler balances.</summary>
    public long AllTurns(string parser) => _rows.Where(r => r.Key.Parser == parser).Sum(r => r.Value.Turns);

    /// <summary>Direct executions of the parser over every seed.</summary>
    public long Executions(string parser) => _rows.Where(r => r.Key.Parser == parser).Sum(r => r.Value.Executions);

    public double Seconds(string parser) => _rows.Where(r => r.Key.Parser == parser).Sum(r => r.Value.Seconds);

    public IEnumerable<string> ParserNames => _rows.Keys.Select(k => k.Parser).Distinct().Order(StringComparer.Ordinal);

    /// <summary>Adds a run of <paramref name="seed"/> that started at the turns recorded here.</summary>
    public void Add(int seed, FuzzReport report)
    {
        foreach (var (parser, count) in report.Parsers.Where(p => p.Value.Turns > 0))
        {
            var row = _rows.GetValueOrDefault((seed, parser));
            _rows[(seed, parser)] = (row.Turns + count.Turns, row.Executions + count.Executions, row.Seconds + count.Seconds);
        }
    }

    public void Save(string path)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var ((seed, parser), (turns, executions, seconds)) in _rows.OrderBy(r => r.Key.Seed).ThenBy(r => r.Key.Parser, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{seed}\t{parser}\t{turns}\t{executions}\t{seconds:0.0}\n");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>Executions and seconds per parser over every run recorded.</summary>
    public string Format()
    {
        var text = new StringBuilder($"totals over every recorded run ({string.Join(", ", _rows.Keys.Select(k => k.Seed).Distinct().Order().Select(s => "seed " + s))}):\n");
        text.AppendLine($"  {"parser",-24} {"executions",14} {"minutes",8}");
        foreach (string parser in ParserNames)
        {
            text.AppendLine($"  {parser,-24} {Executions(parser),14:N0} {Seconds(parser) / 60,8:0.0}");
        }

        return text.ToString();
    }
}
