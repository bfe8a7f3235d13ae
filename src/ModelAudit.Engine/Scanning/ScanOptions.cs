namespace ModelAudit.Engine.Scanning;

/// <summary>Options for one invocation of the engine.</summary>
public sealed record ScanOptions
{
    /// <summary>Descend into sub-folders of folder targets.</summary>
    public bool Recurse { get; init; }

    /// <summary>File-name wildcard patterns to keep (empty: all files).</summary>
    public IReadOnlyList<string> Include { get; init; } = Array.Empty<string>();

    /// <summary>File-name wildcard patterns to leave out.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = Array.Empty<string>();

    /// <summary>Files larger than this are not scanned (reported Inconclusive); null for no limit.</summary>
    public long? MaxFileSize { get; init; }

    /// <summary>Per-file time budget; null for none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Skip the SHA-256 pass, so skip-by-seek formats read only the bytes they need.</summary>
    public bool SkipHash { get; init; }

    /// <summary>Read DVC outputs from a project's http(s) default remote (off by default: a scan of a local folder
    /// then makes no network request that a file in it chose; local caches and remotes are always read).</summary>
    public bool FollowDvcRemotes { get; init; }

    /// <summary>Weight analysis (NaN/Inf, outlier neurons, extreme weights): true always, false never, null (the
    /// default) for files up to <see cref="WeightAnalysisMaxFileSize"/>.</summary>
    public bool? AnalyzeWeights { get; init; }

    /// <summary>Largest file whose weights are analysed by default: 4 GiB. With hashing on, the tensor bytes are
    /// read anyway and analysis adds CPU time to that read (measured: a hashed scan with analysis of F16 weights takes
    /// about three times as long as hashing alone, tests/Bench); 4 GiB covers
    /// classifiers, detectors and models up to about 2 B parameters in 16-bit, where a planted output neuron is a
    /// realistic backdoor, while fleet scans of LLM shards (tens of GB each) keep the speed of hashing alone.</summary>
    public long WeightAnalysisMaxFileSize { get; init; } = 4L << 30;

    /// <summary>Findings below this severity are dropped from results.</summary>
    public Severity MinimumSeverity { get; init; } = Severity.Info;

    /// <summary>Budgets for parsers and containers.</summary>
    public ScanLimits Limits { get; init; } = new();

    /// <summary>Organisation policy: extra denied/allowed globals and severity overrides.</summary>
    public ScanPolicy Policy { get; init; } = new();

    /// <summary>The options and policy as the caller states them, copied onto every result (<see cref="ModelScanResult.Settings"/>).</summary>
    public IReadOnlyDictionary<string, string> RecordedSettings { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
}
