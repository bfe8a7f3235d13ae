namespace ModelAudit.Engine.Scanning;

/// <summary>
/// Scans items on up to <c>throttle</c> worker threads while the caller takes results in input order, so output
/// is deterministic whatever the thread count and the caller (the pipeline thread) does all the writing.
/// </summary>
public sealed class ParallelScan : IDisposable
{
    private readonly ScanEngine _engine;
    private readonly IReadOnlyList<ScanItem> _items;
    private readonly TaskCompletionSource<ModelScanResult>[] _results;
    private readonly CancellationTokenSource _cancel;
    private readonly Task[] _workers;
    private int _next = -1;

    public ParallelScan(ScanEngine engine, IReadOnlyList<ScanItem> items, int throttle, CancellationToken cancellationToken)
    {
        _engine = engine;
        _items = items;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _results = items.Select(_ => new TaskCompletionSource<ModelScanResult>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        int workers = Math.Clamp(throttle, 1, Math.Max(1, items.Count));
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Factory.StartNew(Work, TaskCreationOptions.LongRunning)).ToArray();
    }

    /// <summary>Waits for item <paramref name="index"/> and returns its result.</summary>
    public ModelScanResult Take(int index, CancellationToken cancellationToken)
    {
        Task<ModelScanResult> task = _results[index].Task;
        try
        {
            task.Wait(cancellationToken);
        }
        catch (AggregateException)
        {
            // A worker gave up on the item because the scan was cancelled; reported below as a cancellation.
        }

        cancellationToken.ThrowIfCancellationRequested();
        return task.IsCanceled ? throw new OperationCanceledException() : task.Result;
    }

    /// <summary>True when item <paramref name="index"/> is finished.</summary>
    public bool IsDone(int index) => _results[index].Task.IsCompleted;

    private void Work()
    {
        int index;
        while ((index = Interlocked.Increment(ref _next)) < _items.Count)
        {
            if (_cancel.IsCancellationRequested)
            {
                _results[index].TrySetCanceled();
                continue;
            }

            try
            {
                _results[index].TrySetResult(_engine.Scan(_items[index], _cancel.Token));
            }
            catch (OperationCanceledException)
            {
                _results[index].TrySetCanceled();
            }
            catch (Exception ex)
            {
                // Never lose an item: an engine fault becomes that file's Error result.
                _results[index].TrySetResult(new ModelScanResult(_items[index].Path, "Unknown", _items[index].Length ?? 0, null,
                    ScanOutcome.Error, Array.Empty<ModelFinding>(), TimeSpan.Zero, new[] { $"{ex.GetType().Name}: {ex.Message}" })
                    { Settings = _engine.Options.RecordedSettings });
            }
        }
    }

    public void Dispose()
    {
        _cancel.Cancel();
        try
        {
            Task.WaitAll(_workers);
        }
        catch (AggregateException)
        {
        }

        _cancel.Dispose();
    }
}
