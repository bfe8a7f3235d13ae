namespace ModelAudit.Engine.Analyzers.Weights;

/// <summary>Median and median absolute deviation: location and spread that a few planted values cannot move.</summary>
internal static class RobustStatistics
{
    /// <summary>Scales a MAD to a standard deviation for normally distributed data (1 / Φ⁻¹(3/4)).</summary>
    public const double MadToSigma = 1.4826;

    public static double Median(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        double[] sorted = values.ToArray();
        Array.Sort(sorted);
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>Median absolute deviation from <paramref name="median"/>.</summary>
    public static double Mad(ReadOnlySpan<double> values, double median)
    {
        double[] deviations = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            deviations[i] = Math.Abs(values[i] - median);
        }

        return Median(deviations);
    }

    /// <summary>Robust z-scores: (x − median) / (1.4826 · MAD). The MAD is floored at a millionth of the median's size,
    /// so a layer whose values are all equal gives large but finite scores instead of infinities.</summary>
    public static double[] ZScores(ReadOnlySpan<double> values, out double median, out double mad)
    {
        median = Median(values);
        mad = Mad(values, median);
        double scale = MadToSigma * Math.Max(mad, Math.Abs(median) * 1e-6 + double.Epsilon);
        double[] z = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            z[i] = (values[i] - median) / scale;
        }

        return z;
    }
}
