namespace ModelAudit.Engine.Analyzers.Weights;

/// <summary>
/// When a statistic is far enough out to report. Every threshold grows with the size of what is compared: among n
/// normally distributed values the largest is about √(2 ln n) standard deviations out, so a fixed "3σ" flags
/// something in every large layer. Each threshold is that expected maximum plus a wide margin, so a healthy layer
/// of any size (a 10-class head or a 128 K-token LLM head) stays quiet and a planted neuron still stands out.
/// </summary>
internal static class WeightThresholds
{
    /// <summary>Fewer output neurons than this give too few norms for a median and MAD to mean anything.</summary>
    public const int MinNeurons = 16;

    /// <summary>Neurons with fewer inputs than this have norms too noisy (a chi distribution with few degrees of
    /// freedom has a long tail) to call one abnormal.</summary>
    public const int MinInputs = 8;

    /// <summary>Margin, in robust standard deviations, above the largest z-score expected by chance. Six keeps the
    /// chance of a false report per healthy layer below one in a billion for normal norms.</summary>
    private const double Margin = 6;

    /// <summary>Robust z-score above which a neuron's L2 norm is abnormal among <paramref name="neurons"/>.</summary>
    public static double NeuronNormZ(long neurons) => ExpectedMaximum(neurons) + Margin;

    /// <summary>Robust z-score below which a neuron's similarity to the others is abnormally low.</summary>
    public static double DissimilarityZ(long neurons) => ExpectedMaximum(neurons) + Margin;

    /// <summary>How many standard deviations from the mean a single weight must lie among <paramref name="weights"/>
    /// to be extreme: the expected maximum of that many normal values, plus a margin of 4σ (heavy-tailed trained
    /// weights pass 6σ routinely; a planted trigger weight is typically tens of σ out).</summary>
    public static double ExtremeWeightSigmas(long weights) => ExpectedMaximum(2 * weights) + 4;

    /// <summary>At most this many abnormal neurons are reported as such: more than that is the shape of the layer
    /// (a tied embedding, a trained bias towards frequent classes), not a planted neuron. Three, or half a percent of
    /// the neurons in large layers.</summary>
    public static long MaxReportedNeurons(long neurons) => Math.Max(3, neurons / 200);

    /// <summary>Extreme weights are reported when they sit in at most this many neurons: a trigger is planted in one
    /// or a few neurons, while outliers spread over many neurons are the layer's heavy tail.</summary>
    public const int MaxExtremeNeurons = 3;

    private static double ExpectedMaximum(long n) => n < 2 ? 0 : Math.Sqrt(2 * Math.Log(n));
}
