using System.Buffers;
using System.Globalization;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers.Weights;

/// <summary>
/// Weight analysis of one file. Scanners describe tensors (<see cref="ScanContext.ReportTensor"/>); the hashing
/// stream hands every byte, once and in file order, to <see cref="Observe"/>, which feeds the bytes that fall in a
/// described tensor to its <see cref="TensorAnalysis"/>. So with hashing on, tensor bytes are read once, in the
/// hashing pass. A tensor described after its bytes were hashed (a format whose header follows its data), or every
/// tensor when hashing is off, is read in a second, bounded pass at the end (<see cref="Finish"/>).
/// </summary>
internal sealed class WeightPass : IByteObserver
{
    /// <summary>Tensors analysed at once in the hashing pass. Real files lay tensors end to end, so one is active at
    /// a time; only crafted overlapping regions need more, and those wait for the budgeted second pass.</summary>
    private const int MaxActive = 4;

    /// <summary>Tensors analysed per file: the kept-tensor cap of <see cref="FileScan"/>.</summary>
    private const int MaxTensors = 100_000;

    /// <summary>Bytes read in a second pass for the tensors that need one (2 MiB chunks).</summary>
    private const int ChunkBytes = 2 << 20;

    /// <summary>The first bytes of the file are kept as they are hashed: detection peeks 8 KiB and parsers read ahead
    /// before they describe a tensor, so the first tensor (and every tensor of a small file) usually begins in bytes
    /// already hashed. Fed from here, it needs no second read of the file (tests/Bench: a fleet of small
    /// SafeTensors shards read 2.6 times their size, and an ONNX external data file its first 1 GiB twice).</summary>
    private const int HeadBytes = 1 << 20;

    private readonly PriorityQueue<TensorAnalysis, long> _waiting = new();
    private readonly List<TensorAnalysis> _active = new();
    private readonly List<TensorAnalysis> _late = new();
    private readonly long _fileLength;
    private long _observed;
    private int _registered;
    private int _skipped;
    private bool _namedCandidateSeen;
    private TensorAnalysis? _lastMatrix;
    private byte[]? _head;
    private int _headLength;

    public WeightPass(long fileLength)
    {
        _fileLength = fileLength;
    }

    /// <summary>Tensors whose bytes were analysed in full.</summary>
    public int Analyzed { get; private set; }

    /// <summary>Takes a tensor described at <paramref name="start"/> in the top-level file. Tensors whose dtype
    /// is not decoded, or whose shape does not match their byte length, are left to the format's own checks.</summary>
    public void Register(ScanContext context, TensorRegion region, long start)
    {
        if (WeightEncodings.Of(region.DType) is not { } encoding || region.Length <= 0 || _registered >= MaxTensors)
        {
            return;
        }

        long elements;
        try
        {
            elements = 1;
            foreach (long dimension in region.Shape)
            {
                elements = checked(elements * dimension);
            }

            int unitElements = WeightEncodings.UnitElements(encoding);
            if (elements <= 0 || elements % unitElements != 0 || checked(elements / unitElements * WeightEncodings.UnitBytes(encoding)) != region.Length
                || checked(start + region.Length) > _fileLength)
            {
                return;
            }
        }
        catch (OverflowException)
        {
            // Shapes come from the file; one that overflows is the format scanner's finding, not ours.
            return;
        }

        _registered++;
        var analysis = new TensorAnalysis(context, region, start, encoding, elements, NeuronLayout.Of(region.Shape, region.InnermostFirst, region.OutputsLast));
        if (start >= _observed)
        {
            _waiting.Enqueue(analysis, start);
        }
        else if (start >= 0 && _observed <= _headLength && analysis.End > _observed && _active.Count < MaxActive)
        {
            // Its hashed beginning is in the head: fed from there, the hashing pass delivers the rest in order.
            analysis.Feed(_head.AsSpan((int)start, (int)(_observed - start)));
            int at = _active.FindIndex(t => t.Start > start);
            _active.Insert(at < 0 ? _active.Count : at, analysis);
        }
        else
        {
            // Wholly hashed already (served from the head in the second pass when it lies there), or beyond the head.
            _late.Add(analysis);
        }
    }

    public void Observe(long offset, ReadOnlySpan<byte> bytes)
    {
        long end = offset + bytes.Length;
        _observed = end;
        if (offset == _headLength && _headLength < HeadBytes && _headLength < _fileLength)
        {
            _head ??= ArrayPool<byte>.Shared.Rent((int)Math.Min(HeadBytes, _fileLength));
            int keep = Math.Min(bytes.Length, Math.Min(_head.Length, HeadBytes) - _headLength);
            bytes[..keep].CopyTo(_head.AsSpan(_headLength));
            _headLength += keep;
        }

        while (_waiting.TryPeek(out TensorAnalysis? next, out long start) && start < end)
        {
            _waiting.Dequeue();
            if (_active.Count < MaxActive)
            {
                _active.Add(next);
            }
            else
            {
                _late.Add(next);
            }
        }

        // In activation order (file order), so tensors complete, and report, in the order they lie in the file.
        int kept = 0;
        for (int i = 0; i < _active.Count; i++)
        {
            TensorAnalysis tensor = _active[i];
            long from = Math.Max(offset, tensor.Start + tensor.Fed);
            long to = Math.Min(end, tensor.End);
            if (to > from)
            {
                tensor.Feed(bytes.Slice((int)(from - offset), (int)(to - from)));
            }

            if (tensor.IsComplete)
            {
                Complete(tensor);
            }
            else
            {
                _active[kept++] = tensor;
            }
        }

        _active.RemoveRange(kept, _active.Count - kept);
    }

    /// <summary>Reads the tensors the hashing pass did not deliver from <paramref name="source"/> (when it can
    /// seek), reports what the analysis found, and says what was left out.</summary>
    public void Finish(Stream? source, CancellationToken cancellationToken)
    {
        // Tensors still waiting or active were never reached in order (no hashing pass, or it stopped early).
        _late.AddRange(_active.Where(t => !t.IsComplete).Select(Restart));
        _active.Clear();
        while (_waiting.TryDequeue(out TensorAnalysis? tensor, out _))
        {
            _late.Add(tensor);
        }

        try
        {
            if (source is { CanSeek: true })
            {
                ReadLate(source, cancellationToken);
            }
        }
        finally
        {
            if (_head is { } head)
            {
                _head = null;
                _headLength = 0;
                ArrayPool<byte>.Shared.Return(head);
            }
        }

        if (!_namedCandidateSeen && _lastMatrix is { } fallback)
        {
            // No tensor is named as an output layer: the last matrix in the file is the best guess at one (layers
            // are saved in order, the head last), as a single unnamed .npy array is its own candidate.
            ReportAll(fallback, fallback.NeuronFindings());
            ReportAll(fallback, fallback.DissimilarityFindings());
        }

        if (_skipped > 0)
        {
            Report(_late.Count > 0 ? _late[0].Context : null, RuleIds.WeightAnalysisIncomplete,
                string.Create(CultureInfo.InvariantCulture, $"{_skipped:N0} tensor(s) were not analysed: their regions overlap past the reading budget of the file's own size ({_fileLength:N0} bytes)."),
                null, "overlapping tensors");
        }
    }

    private void ReadLate(Stream source, CancellationToken cancellationToken)
    {
        // Most files have no late tensor: a 2 MiB buffer per file was most of the allocation of a folder scan of
        // small files (tests/Bench). Rented, and no larger than the largest tensor it is for.
        if (_late.Count == 0)
        {
            return;
        }

        // Overlapping regions could make the second pass read the same bytes without end; the file's own size is the
        // budget, which real files (tensors end to end) never reach.
        long budget = _fileLength;
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(ChunkBytes, _late.Max(t => t.Region.Length)));
        try
        {
            ReadLate(source, buffer, budget, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReadLate(Stream source, byte[] buffer, long budget, CancellationToken cancellationToken)
    {
        foreach (TensorAnalysis tensor in _late.OrderBy(t => t.Start))
        {
            if (tensor.Region.Length > budget)
            {
                _skipped++;
                continue;
            }

            budget -= tensor.Region.Length;
            if (tensor.Fed == 0 && tensor.Start >= 0 && tensor.End <= _headLength)
            {
                tensor.Feed(_head.AsSpan((int)tensor.Start, (int)tensor.Region.Length));
                Complete(tensor);
                continue;
            }

            source.Position = tensor.Start;
            while (!tensor.IsComplete)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int want = (int)Math.Min(buffer.Length, tensor.Region.Length - tensor.Fed);
                int read = source.Read(buffer, 0, want);
                if (read == 0)
                {
                    break;
                }

                tensor.Feed(buffer.AsSpan(0, read));
            }

            if (tensor.IsComplete)
            {
                Complete(tensor);
            }
        }
    }

    // A tensor fed in part by a pass that stopped is analysed again from its first byte.
    private static TensorAnalysis Restart(TensorAnalysis tensor) =>
        tensor.Fed == 0 ? tensor : new TensorAnalysis(tensor.Context, tensor.Region, tensor.Start, tensor.Encoding, tensor.Elements,
            NeuronLayout.Of(tensor.Region.Shape, tensor.Region.InnermostFirst, tensor.Region.OutputsLast));

    private void Complete(TensorAnalysis tensor)
    {
        Analyzed++;
        if (tensor.NonFiniteFinding() is { } nonFinite)
        {
            ReportAll(tensor, new[] { nonFinite });
        }

        if (!tensor.IsMatrix)
        {
            return;
        }

        if (FinalLayerNames.IsCandidate(tensor.Region.Name))
        {
            _namedCandidateSeen = true;
            ReportAll(tensor, tensor.NeuronFindings());
            ReportAll(tensor, tensor.DissimilarityFindings());
        }
        else
        {
            // Only the unnamed matrix that lies last in the file is kept (one sample of at most 4 MiB), as the
            // fallback candidate; a second pass may complete tensors out of file order.
            if (_lastMatrix is null || tensor.Start >= _lastMatrix.Start)
            {
                _lastMatrix = tensor;
            }
        }
    }

    private static void ReportAll(TensorAnalysis tensor, IEnumerable<WeightFinding> findings)
    {
        foreach (WeightFinding finding in findings)
        {
            Report(tensor.Context, finding.RuleId, finding.Message, finding.Offset, finding.Evidence);
        }
    }

    private static void Report(ScanContext? context, string ruleId, string message, long? offset, string evidence) =>
        context?.With(f => f with { Scanner = "Weights" }).Report(ruleId, message, offset, evidence);
}
