using System.Globalization;

namespace ModelAudit.Bench;

/// <summary>Prints the figures as one markdown table (it goes into README as printed).</summary>
internal sealed class BenchTable
{
    private const double MiB = 1 << 20;
    private readonly bool _compare;

    public BenchTable(bool compare) => _compare = compare;

    public void WriteHeader()
    {
        if (_compare)
        {
            Console.WriteLine("| input | mode | this s | other s | other/this | this peak MB | other peak MB | this MB read | other MB read | this alloc MB | other alloc MB | outcome (this / other) |");
            Console.WriteLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
        }
        else
        {
            Console.WriteLine("| input | size | mode | wall s | rate | MB read | peak WS MB | alloc MB | floor s | × floor | outcome |");
            Console.WriteLine("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|---|");
        }
    }

    public void WriteRow(string input, long size, int files, BenchMode mode, Sample mine, double floor, Sample? theirs)
    {
        string outcome = $"{mine.Figures.Outcome} {mine.Figures.Format} {mine.Figures.Rules}".Trim();
        if (theirs is not null)
        {
            string otherOutcome = $"{theirs.Figures.Outcome} {theirs.Figures.Format} {theirs.Figures.Rules}".Trim();
            Console.WriteLine(Invariant($"| {input} | {mode.Label} | {mine.Seconds:0.000} | {theirs.Seconds:0.000} | {theirs.Seconds / mine.Seconds:0.00} | {mine.PeakWorkingSet / MiB:0} | {theirs.PeakWorkingSet / MiB:0} | {Read(mine)} | {Read(theirs)} | {mine.Allocated / MiB:0.0} | {theirs.Allocated / MiB:0.0} | {outcome}{(otherOutcome == outcome ? " (same)" : " / " + otherOutcome)} |"));
            return;
        }

        string rate = mode.IsFolder
            ? Invariant($"{files / mine.Seconds:0} files/s")
            : Invariant($"{size / MiB / mine.Seconds:0} MB/s");
        Console.WriteLine(Invariant($"| {input} | {Size(size)} | {mode.Label} | {mine.Seconds:0.000} | {rate} | {Read(mine)} | {mine.PeakWorkingSet / MiB:0} | {mine.Allocated / MiB:0.0} | {floor:0.000} | {mine.Seconds / floor:0.00} | {outcome} |"));
    }

    private static string Read(Sample sample) => sample.BytesRead < 0 ? "n/a" : Invariant($"{sample.BytesRead / MiB:0.0}");

    private static string Size(long bytes) => bytes >= 1L << 30 ? Invariant($"{bytes / (double)(1L << 30):0.0} GiB") : Invariant($"{bytes / MiB:0.0} MiB");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
