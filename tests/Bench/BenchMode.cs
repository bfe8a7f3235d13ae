namespace ModelAudit.Bench;

/// <summary>
/// How an input is scanned, and the floor it is compared with. Header-only (-SkipHash, no weight analysis) is
/// compared with a plain read of the bytes it actually read; hashed with SHA-256 of the whole file; a folder scan
/// with SHA-256 of every file in it, one after the other.
/// </summary>
internal sealed record BenchMode(string Label, bool SkipHash, bool? AnalyzeWeights, int Throttle = 0)
{
    public static BenchMode HeaderOnly { get; } = new("header-only", true, false);

    /// <summary>The defaults of Invoke-ModelScan: hashed, weights analysed up to 4 GiB.</summary>
    public static BenchMode Hashed { get; } = new("hashed", false, null);

    public static BenchMode HashedNoWeights { get; } = new("hashed, no weights", false, false);

    public static BenchMode Folder(int throttle) => new($"folder, {throttle} thread(s)", false, null, throttle);

    public bool IsFolder => Throttle > 0;
}
