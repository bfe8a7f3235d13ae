namespace ModelAudit.Engine.Tests;

/// <summary>A deterministic generator for synthetic layers: SplitMix64 for uniform values, Box–Muller for normal ones,
/// so every run builds the same bytes on every machine.</summary>
internal sealed class WeightRandom
{
    private ulong _state;
    private double? _spare;

    public WeightRandom(ulong seed)
    {
        _state = seed;
    }

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in (0, 1): never 0, so Box–Muller's logarithm is finite.</summary>
    public double NextDouble() => ((NextUInt64() >> 11) + 0.5) / (1UL << 53);

    public double Uniform(double low, double high) => low + ((high - low) * NextDouble());

    public double Normal(double mean, double sd)
    {
        if (_spare is { } spare)
        {
            _spare = null;
            return mean + (sd * spare);
        }

        double radius = Math.Sqrt(-2 * Math.Log(NextDouble()));
        double angle = 2 * Math.PI * NextDouble();
        _spare = radius * Math.Sin(angle);
        return mean + (sd * radius * Math.Cos(angle));
    }
}
