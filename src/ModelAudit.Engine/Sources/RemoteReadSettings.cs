using ModelAudit.Engine.Sources.Cache;

namespace ModelAudit.Engine.Sources;

/// <summary>How every remote source reads object bytes: the per-object download cap (-MaxDownloadSize) and the
/// download cache (-CacheDirectory), shared by the Hub, GCS, MLflow, Artifactory and S3 readers.</summary>
public sealed record RemoteReadSettings
{
    /// <summary>No cap, no cache.</summary>
    public static RemoteReadSettings None { get; } = new();

    /// <summary>Bytes one object may transfer; reading past them is a <see cref="DownloadLimitException"/>. Null: no cap.</summary>
    public long? MaxDownloadSize { get; init; }

    /// <summary>Where whole objects are kept by identity; null: no cache.</summary>
    public DownloadCache? Cache { get; init; }
}
