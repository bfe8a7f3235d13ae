using System.Diagnostics;
using System.Globalization;

namespace ModelAudit.Bench;

/// <summary>
/// What the process read and its peak resident set, from Linux's /proc/self. Peak: writing 5 to clear_refs resets
/// VmHWM, so each measurement gets its own exact peak instead of a sampled one or the whole run's. Elsewhere the
/// figures fall back to what .NET offers (a peak that never resets) or are unknown (-1).
/// </summary>
internal static class ProcessCounters
{
    /// <summary>Bytes the process asked read(2) for ("rchar"): holes of sparse files count, the page cache does not
    /// matter, so a header-only scan shows how little it touched.</summary>
    public static long BytesRead() => ReadField("/proc/self/io", "rchar:", 1);

    /// <summary>Resets the peak so the next <see cref="PeakWorkingSet"/> covers only what runs after this call.</summary>
    public static void ResetPeak()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Peak resident set since <see cref="ResetPeak"/>, in bytes.</summary>
    public static long PeakWorkingSet()
    {
        long kb = ReadField("/proc/self/status", "VmHWM:", 1024);
        if (kb >= 0)
        {
            return kb;
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    private static long ReadField(string file, string key, long unit)
    {
        try
        {
            foreach (string line in File.ReadLines(file))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    string value = line[key.Length..].Trim().Split(' ')[0];
                    return long.Parse(value, CultureInfo.InvariantCulture) * unit;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return -1;
    }
}
