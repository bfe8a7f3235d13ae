using System.Numerics;

namespace ModelAudit.Engine.Analyzers.Weights;

/// <summary>
/// One-pass statistics of a tensor's values: count, mean and variance (Welford's update, applied per batch with
/// Chan's merge so it stays numerically stable over billions of values), min/max, and counts of NaN, infinities and
/// zeros. Non-finite values are counted and left out of the moments, so one NaN does not hide the rest.
/// </summary>
internal sealed class TensorMoments
{
    private double _mean;
    private double _m2;

    /// <summary>Finite values seen.</summary>
    public long Count { get; private set; }

    public long NaNs { get; private set; }

    public long PositiveInfinities { get; private set; }

    public long NegativeInfinities { get; private set; }

    public long Zeros { get; private set; }

    public double Min { get; private set; } = double.PositiveInfinity;

    public double Max { get; private set; } = double.NegativeInfinity;

    /// <summary>Index (in element order) of the first NaN or infinity, or -1.</summary>
    public long FirstNonFinite { get; private set; } = -1;

    public long NonFinite => NaNs + PositiveInfinities + NegativeInfinities;

    public double Mean => _mean;

    /// <summary>Population variance of the finite values.</summary>
    public double Variance => Count > 0 ? _m2 / Count : 0;

    public double StandardDeviation => Math.Sqrt(Variance);

    /// <summary>Adds a batch; <paramref name="firstIndex"/> is the element index of its first value. Returns true
    /// when every value of the batch was finite.</summary>
    public bool Add(ReadOnlySpan<float> values, long firstIndex)
    {
        if (TryAddFinite(values))
        {
            return true;
        }

        AddEach(values, firstIndex);
        return false;
    }

    // The common case, vectorised: a batch with no NaN or infinity (a finite sum proves it, as either would make the
    // sum NaN or infinite). Sums are widened to double, so precision is that of the scalar path.
    private bool TryAddFinite(ReadOnlySpan<float> values)
    {
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated || values.Length < width)
        {
            return false;
        }

        var min = new Vector<float>(float.PositiveInfinity);
        var max = new Vector<float>(float.NegativeInfinity);
        Vector<double> sums = Vector<double>.Zero;
        Vector<int> zeros = Vector<int>.Zero;
        int i = 0;
        for (; i <= values.Length - width; i += width)
        {
            var v = new Vector<float>(values[i..]);
            min = Vector.Min(min, v);
            max = Vector.Max(max, v);
            Vector.Widen(v, out Vector<double> low, out Vector<double> high);
            sums += low + high;
            zeros -= Vector.Equals(v, Vector<float>.Zero);
        }

        double sum = Vector.Sum(sums);
        float lowest = float.PositiveInfinity, highest = float.NegativeInfinity;
        long zeroCount = Vector.Sum(zeros);
        for (int lane = 0; lane < width; lane++)
        {
            lowest = Math.Min(lowest, min[lane]);
            highest = Math.Max(highest, max[lane]);
        }

        for (; i < values.Length; i++)
        {
            float v = values[i];
            sum += v;
            lowest = Math.Min(lowest, v);
            highest = Math.Max(highest, v);
            zeroCount += v == 0 ? 1 : 0;
        }

        if (!double.IsFinite(sum))
        {
            return false;
        }

        double batchMean = sum / values.Length;
        Vector<double> squares = Vector<double>.Zero;
        i = 0;
        for (; i <= values.Length - width; i += width)
        {
            Vector.Widen(new Vector<float>(values[i..]), out Vector<double> low, out Vector<double> high);
            Vector<double> dl = low - new Vector<double>(batchMean), dh = high - new Vector<double>(batchMean);
            squares += (dl * dl) + (dh * dh);
        }

        double batchM2 = Vector.Sum(squares);
        for (; i < values.Length; i++)
        {
            double d = values[i] - batchMean;
            batchM2 += d * d;
        }

        Min = Math.Min(Min, lowest);
        Max = Math.Max(Max, highest);
        Zeros += zeroCount;
        Merge(values.Length, batchMean, batchM2);
        return true;
    }

    // Chan et al.'s pairwise update: the moments of this tensor so far and of one batch, combined.
    private void Merge(long count, double batchMean, double batchM2)
    {
        long total = Count + count;
        double delta = batchMean - _mean;
        _mean += delta * count / total;
        _m2 += batchM2 + (delta * delta * Count * count / total);
        Count = total;
    }

    private void AddEach(ReadOnlySpan<float> values, long firstIndex)
    {
        // Two passes over a batch that sits in the cache: its own mean first, then the squared deviations from it,
        // which is what keeps the variance exact where sum-of-squares would cancel.
        double sum = 0;
        long finite = 0;
        double min = Min, max = Max;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!float.IsFinite(v))
            {
                CountNonFinite(v, firstIndex + i);
                continue;
            }

            finite++;
            sum += v;
            if (v < min)
            {
                min = v;
            }

            if (v > max)
            {
                max = v;
            }

            if (v == 0)
            {
                Zeros++;
            }
        }

        Min = min;
        Max = max;
        if (finite == 0)
        {
            return;
        }

        double batchMean = sum / finite;
        double batchM2 = 0;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (float.IsFinite(v))
            {
                double d = v - batchMean;
                batchM2 += d * d;
            }
        }

        Merge(finite, batchMean, batchM2);
    }

    private void CountNonFinite(float value, long index)
    {
        if (float.IsNaN(value))
        {
            NaNs++;
        }
        else if (value > 0)
        {
            PositiveInfinities++;
        }
        else
        {
            NegativeInfinities++;
        }

        if (FirstNonFinite < 0)
        {
            FirstNonFinite = index;
        }
    }
}
