namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>
/// The per-input bounds a fuzzed execution must stay within. The inputs are at most 1 MiB, and a healthy scan of
/// one takes milliseconds and allocates a small multiple of its size; the bounds are far above that so a loaded
/// 2-core machine does not make them flaky, and far below what a parser that trusts a length field would take.
/// </summary>
internal sealed record FuzzBudget
{
    /// <summary>Wall-clock time of one full-engine scan; past it the input is a hang.</summary>
    public TimeSpan TimePerInput { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The engine's own time budget for a fuzzed scan (<c>-TimeoutSec</c>): a loop that never ends is
    /// stopped there and shows up as MA9006, which the fuzzer counts as a hang.</summary>
    public TimeSpan EngineTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bytes every scan may allocate whatever its input (buffers, the rule catalog's first use, hashing).</summary>
    public long AllocationFloor { get; init; } = 48L << 20;

    /// <summary>Bytes a scan may allocate per input byte on top of the floor (copies, decoded text, JSON trees).</summary>
    public long AllocationPerInputByte { get; init; } = 48;

    /// <summary>Bytes a scan may allocate per decompressed byte: a member that expands is read in streamed chunks
    /// (text decoded to UTF-16, about 2 bytes per byte); the engine lets a few input bytes expand to the ratio floor
    /// (256 MiB) before it judges the ratio, so this is what bounds such a scan, not the input's size.</summary>
    public long AllocationPerExpandedByte { get; init; } = 8;

    /// <summary>The fuzzed engine's compression-ratio floor (the engine's own is 256 MiB). A few mutated bytes of an
    /// endless decoder expand to the floor before the ratio is judged: at 256 MiB each such input costs seconds and
    /// a mutated bomb seed stalled a campaign (Compressed fell to 58 executions a second); at 4 MiB the same guard
    /// stops it in milliseconds. The default floor keeps its own tests (the regression fixtures' stated outcomes).</summary>
    public long CompressionRatioFloor { get; init; } = 4L << 20;

    public long AllocationFor(long inputBytes, long expandedBytes = 0) =>
        AllocationFloor + AllocationPerInputByte * inputBytes + AllocationPerExpandedByte * expandedBytes;
}
