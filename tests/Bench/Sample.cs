namespace ModelAudit.Bench;

/// <summary>One timed scan: wall time, bytes the process read, peak working set, bytes allocated on the managed heap
/// (what a folder of small files pays per file), and what the scan said.</summary>
internal sealed record Sample(double Seconds, long BytesRead, long PeakWorkingSet, long Allocated, ScanFigures Figures)
{
    /// <summary>Runs <paramref name="scan"/> once with fresh counters.</summary>
    public static Sample Of(Func<ScanFigures> scan)
    {
        using ProcessCounters counters = ProcessCounters.Start();
        long before = ProcessCounters.BytesRead();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        ScanFigures figures = scan();
        watch.Stop();
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        long read = before < 0 ? -1 : ProcessCounters.BytesRead() - before;
        return new Sample(watch.Elapsed.TotalSeconds, read, counters.PeakWorkingSet, allocated, figures);
    }

    /// <summary>The median sample by time (the upper middle one of an even count).</summary>
    public static Sample Median(IReadOnlyList<Sample> samples) => samples.OrderBy(s => s.Seconds).ElementAt(samples.Count / 2);

    /// <summary>Seconds a plain action takes (a floor).</summary>
    public static double Time(Action action)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
