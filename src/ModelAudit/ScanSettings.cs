namespace ModelAudit.Commands;

/// <summary>What the cmdlet parameters say about a scan, in plain types the engine boundary can take.</summary>
internal sealed record ScanSettings(
    bool Recurse,
    string[] Include,
    string[] Exclude,
    long? MaxFileSize,
    int TimeoutSec,
    bool SkipHash,
    Severity MinimumSeverity,
    PolicyFile? Policy,
    DateTimeOffset Now = default,
    string? BaselinePath = null,
    bool? AnalyzeWeights = null,
    bool FollowDvcRemotes = false);
