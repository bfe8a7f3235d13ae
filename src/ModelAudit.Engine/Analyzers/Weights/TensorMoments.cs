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

    /// <summary>Adds a batch; <paramref name="firstIndex"/> is the element index of its first value.</summary>
    public void Add(ReadOnlySpan<float> values, long firstIndex)
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

        long total = Count + finite;
        double delta = batchMean - _mean;
        _mean += delta * finite / total;
        _m2 += batchM2 + (delta * delta * Count * finite / total);
        Count = total;
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
