using System.Diagnostics;
using System.Globalization;

namespace ModelAudit.Bench;

/// <summary>
/// What the process read (Linux's /proc/self/io) and its peak working set during one measurement, sampled. Not
/// /proc/self/clear_refs and VmHWM: resetting the peak that way made every later read of a sparse file spend most
/// of its time in the kernel (a hashed 10 GiB scan took 3.4 times its floor instead of 1.25).
/// </summary>
internal sealed class ProcessCounters : IDisposable
{
    // Often enough to see a scan's working set rise and fall; rare enough to cost nothing on two shared cores.
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(5);

    private readonly Process _process = Process.GetCurrentProcess();

    // Linux: /proc/self/statm, opened once and read into one buffer, so sampling adds neither reads worth counting
    // (30 bytes) nor allocations to the figures it samples.
    private readonly FileStream? _statm = OpenStatm();
    private readonly byte[] _line = new byte[128];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private long _peak;

    private ProcessCounters()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _peak = WorkingSet();
        _sampler = Task.Factory.StartNew(Sample, TaskCreationOptions.LongRunning);
    }

    /// <summary>Starts sampling the working set, after a full collection so earlier garbage does not count.</summary>
    public static ProcessCounters Start() => new();

    /// <summary>The largest working set seen since <see cref="Start"/>, in bytes.</summary>
    public long PeakWorkingSet
    {
        get
        {
            Interlocked.Exchange(ref _peak, Math.Max(Interlocked.Read(ref _peak), WorkingSet()));
            return Interlocked.Read(ref _peak);
        }
    }

    /// <summary>Bytes the process asked read(2) for ("rchar"): holes of sparse files count, the page cache does not
    /// matter, so a header-only scan shows how little it touched; -1 where /proc/self/io does not exist.</summary>
    public static long BytesRead()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/io"))
            {
                if (line.StartsWith("rchar:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return -1;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _sampler.Wait();
        _stop.Dispose();
        _statm?.Dispose();
        _process.Dispose();
    }

    private void Sample()
    {
        while (!_stop.Token.WaitHandle.WaitOne(s_interval))
        {
            long now = WorkingSet();
            if (now > Interlocked.Read(ref _peak))
            {
                Interlocked.Exchange(ref _peak, now);
            }
        }
    }

    private long WorkingSet()
    {
        lock (_process)
        {
            if (_statm is not null)
            {
                // "size resident shared ...", in pages.
                _statm.Position = 0;
                int length = _statm.Read(_line, 0, _line.Length);
                int start = Array.IndexOf(_line, (byte)' ', 0, length) + 1;
                long pages = 0;
                for (int i = start; i < length && _line[i] is >= (byte)'0' and <= (byte)'9'; i++)
                {
                    pages = (pages * 10) + (_line[i] - '0');
                }

                return pages * Environment.SystemPageSize;
            }

            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    private static FileStream? OpenStatm()
    {
        try
        {
            return new FileStream("/proc/self/statm", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
