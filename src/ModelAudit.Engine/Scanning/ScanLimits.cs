namespace ModelAudit.Engine.Scanning;

/// <summary>
/// Budgets that keep every scan bounded in time and memory. Hitting one produces a 9xxx finding and
/// Inconclusive coverage for that file — never a Clean verdict and never a false "malicious".
/// </summary>
public sealed record ScanLimits
{
    /// <summary>Opcodes executed per pickle stream (a 25 MB opcode-dense pickle has about 10 M).</summary>
    public long MaxPickleOpcodes { get; init; } = 200_000_000;

    /// <summary>Live pickle stack entries (values plus marks).</summary>
    public int MaxPickleStackDepth { get; init; } = 1_000_000;

    /// <summary>Memo entries per pickle stream.</summary>
    public int MaxPickleMemoEntries { get; init; } = 4_000_000;

    /// <summary>Largest string or bytes argument kept in memory; longer ones are skipped by seek after a prefix sniff.</summary>
    public int MaxPickleInlineBytes { get; init; } = 16 << 20;

    /// <summary>Argument bytes kept in memory per pickle stream; past it, arguments keep only a short prefix, so many
    /// medium-sized arguments cannot grow memory with the file.</summary>
    public long MaxPickleRetainedBytes { get; init; } = 256L << 20;

    /// <summary>Pickle streams read one after another from one member (PyTorch's legacy format stacks five; pickle.load
    /// in a loop reads as many as there are).</summary>
    public int MaxPickleStreams { get; init; } = 100_000;

    /// <summary>Bytes of a non-seekable member kept so a second reading of it can start again from its first byte
    /// (a compressed member that is both a pickle and something else).</summary>
    public long MaxReplayBytes { get; init; } = 64L << 20;

    /// <summary>Recursion into nested pickles (bytes arguments, base64, hex) and containers. Real deliveries nest a
    /// dozen archives (a zip in a tar.gz in a zip …), and a compressed tar takes two levels (the wrapper, then the
    /// tar), so a dozen compressed tars reach level 24, their model file 25 and a pickle nested in it 26; 32 leaves
    /// room above that. Depth costs little because members are streamed: a level holds one decompressor state and
    /// a copy buffer, and the copies some formats need (a zip in a compressed stream) are bounded for all levels
    /// together by <see cref="MaxBufferedBytesHeld"/>; the stack is guarded by EnsureSufficientExecutionStack.</summary>
    public int MaxNestingDepth { get; init; } = 32;

    /// <summary>Entries read from one archive.</summary>
    public int MaxArchiveEntries { get; init; } = 100_000;

    /// <summary>Bytes expanded from compressed members and wrappers, per top-level file.</summary>
    public long MaxExpandedBytes { get; init; } = 64L << 30;

    /// <summary>Expanded-to-compressed ratio above which a member is treated as a decompression bomb.</summary>
    public double MaxCompressionRatio { get; init; } = 1000;

    /// <summary>Largest archive indexed from its end (zip, 7z) that is copied to memory when it sits inside a compressed
    /// stream, which cannot seek.</summary>
    public long MaxBufferedArchiveBytes { get; init; } = 256L << 20;

    /// <summary>Bytes of such copies held at once by all the nesting levels of one file: each level of a zip in a
    /// tar.gz in a zip … holds its copy while the levels below it are scanned, so without this bound memory would grow
    /// with the depth (32 × 256 MiB). Four full-sized copies.</summary>
    public long MaxBufferedBytesHeld { get; init; } = 1L << 30;

    /// <summary>Expanded bytes below which the compression ratio is not judged (benign compressed zeros reach high ratios too).</summary>
    public long CompressionRatioFloor { get; init; } = 256L << 20;

    /// <summary>Largest JSON header (SafeTensors) or metadata block parsed.</summary>
    public int MaxHeaderBytes { get; init; } = 100 << 20;

    /// <summary>Longest chat template parsed, in characters. The largest public chat templates are about 20 K
    /// characters; a text file is handed to analyzers in 1 MiB chunks, so a template is only seen whole below that.</summary>
    public int MaxTemplateChars { get; init; } = 512 << 10;

    /// <summary>Key-value pairs read from one metadata table (GGUF headers hold a few dozen); a crafted count past it
    /// would only grow the set of keys kept for the duplicate check.</summary>
    public int MaxMetadataEntries { get; init; } = 1_000_000;

    /// <summary>Tensor descriptions kept from one header (the largest GGUF shards describe a few thousand).</summary>
    public int MaxTensorCount { get; init; } = 1_000_000;

    /// <summary>Findings kept per file before the rest are summarised.</summary>
    public int MaxFindingsPerFile { get; init; } = 1000;

    /// <summary>Nested protobuf messages (ONNX subgraphs in If/Loop/Scan attributes, TensorFlow functions, Core ML
    /// pipelines); 100 is protobuf's own default recursion limit, so deeper files do not load anyway.</summary>
    public int MaxProtobufNesting { get; init; } = 100;
}
