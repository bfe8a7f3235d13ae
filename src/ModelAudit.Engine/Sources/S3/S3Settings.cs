using System.Net;

namespace ModelAudit.Engine.Sources.S3;

/// <summary>
/// How to reach S3: endpoint, region, profile, explicit keys and limits. Anything left null comes from the standard
/// AWS places (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, AWS_REGION / AWS_DEFAULT_REGION, AWS_PROFILE, the credential
/// chain). A class, not a record: a record's generated ToString would print the secret key.
/// </summary>
public sealed class S3Settings
{
    /// <summary>An S3-compatible endpoint (MinIO, Ceph, moto); addressed path-style.</summary>
    public Uri? EndpointUrl { get; init; }

    /// <summary>The region to sign for and to send requests to.</summary>
    public string? Region { get; init; }

    /// <summary>A named profile from the shared AWS config and credentials files.</summary>
    public string? ProfileName { get; init; }

    /// <summary>Explicit keys (user name = access key id, password = secret access key); never shown.</summary>
    public NetworkCredential? Credential { get; init; }

    /// <summary>Most bytes one object may transfer; past it the object is Inconclusive. Null for no cap.</summary>
    public long? MaxDownloadSize { get; init; }

    /// <summary>Where whole objects are kept by URI and ETag (-CacheDirectory); null for no cache.</summary>
    public ModelAudit.Engine.Sources.Cache.DownloadCache? Cache { get; init; }

    /// <summary>How long one request may take before it is given up (the SDK's default is 100 seconds).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Stops listing and reads (Ctrl+C).</summary>
    public CancellationToken CancellationToken { get; init; }
}
