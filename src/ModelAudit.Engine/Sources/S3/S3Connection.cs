using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Sources.S3;

/// <summary>
/// The S3 client one source uses, built the way the AWS CLI resolves things: explicit settings first, then the
/// environment (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS_REGION, AWS_DEFAULT_REGION, AWS_PROFILE), then the shared
/// config and credentials files, then the SDK's default credential chain. The region is never looked up from
/// instance metadata: without one, us-east-1 is used, and a bucket elsewhere says so in its error.
/// </summary>
internal sealed class S3Connection : IDisposable
{
    /// <summary>The region S3 treats as the default (and the one S3-compatible stores expect when unsure).</summary>
    public const string DefaultRegion = "us-east-1";

    // The SDK retries throttling, 5xx and dropped connections with exponential backoff ("standard" mode); two
    // retries (three tries) match the HTTP sources and ride out a restarted store without stalling a scan.
    private const int MaxRetries = 2;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);

    private readonly CancellationToken _stop;
    private long _bytesReceived;

    public S3Connection(S3Location location, S3Settings settings)
    {
        Location = location;
        MaxDownloadSize = settings.MaxDownloadSize;
        Timeout = settings.Timeout ?? DefaultTimeout;
        _stop = settings.CancellationToken;

        string? profileName = settings.ProfileName ?? NonEmpty(Environment.GetEnvironmentVariable("AWS_PROFILE"));
        var profiles = new CredentialProfileStoreChain();
        CredentialProfile? profile = null;
        if (profileName is not null && !profiles.TryGetProfile(profileName, out profile))
        {
            throw new ArgumentException($"The AWS profile '{profileName}' is not in the shared config or credentials file.");
        }

        profile ??= profiles.TryGetProfile("default", out CredentialProfile? fallback) ? fallback : null;
        string region = settings.Region
            ?? NonEmpty(Environment.GetEnvironmentVariable("AWS_REGION"))
            ?? NonEmpty(Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION"))
            ?? profile?.Region?.SystemName
            ?? DefaultRegion;
        var config = new AmazonS3Config
        {
            MaxErrorRetry = MaxRetries,
            RetryMode = RequestRetryMode.Standard,
            Timeout = Timeout,
        };
        Uri? endpoint = settings.EndpointUrl ?? EndpointFromEnvironment();
        if (endpoint is not null)
        {
            // S3-compatible stores (MinIO, Ceph, moto) route by path: bucket names are not in their DNS.
            config.ServiceURL = endpoint.GetLeftPart(UriPartial.Path);
            config.ForcePathStyle = true;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        AWSCredentials? credentials = null;
        if (settings.Credential is { } explicitKeys)
        {
            credentials = new BasicAWSCredentials(explicitKeys.UserName, explicitKeys.Password);
        }
        else if (profileName is not null && !profiles.TryGetAWSCredentials(profileName, out credentials))
        {
            throw new ArgumentException($"The AWS profile '{profileName}' has no usable credentials.");
        }

        bool anonymous = false;
        if (credentials is null)
        {
            try
            {
                credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials(config);
            }
            catch (AmazonClientException)
            {
                // No credentials anywhere: a public bucket still answers unsigned requests; a private one's
                // AccessDenied then says that nothing was found.
                credentials = new AnonymousAWSCredentials();
                anonymous = true;
            }
        }

        Secrets = new S3Secrets(anonymous ? null : credentials.GetCredentials(), anonymous);
        Client = new AmazonS3Client(credentials, config);
    }

    public S3Location Location { get; }

    public AmazonS3Client Client { get; }

    public long? MaxDownloadSize { get; }

    public TimeSpan Timeout { get; }

    public S3Secrets Secrets { get; }

    /// <summary>Bytes of object bodies received so far (progress and tests).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public void CountReceived(long bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    /// <summary>Runs one SDK call to completion on this thread (the SDK is async-only on .NET), stopped by Ctrl+C or
    /// <paramref name="cancellationToken"/>; every failure comes out as a <see cref="RemoteException"/> naming <paramref name="where"/>.</summary>
    public T Run<T>(string where, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop, cancellationToken);
        try
        {
            return Task.Run(() => call(linked.Token), linked.Token).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && linked.IsCancellationRequested) && ex is not (RemoteException or DownloadLimitException))
        {
            // Whatever the SDK or the network throws becomes this object's read error: never a crash of the scan.
            throw S3Failure.From(ex, where, Secrets, Timeout);
        }
    }

    /// <summary>The endpoint from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (the variables the AWS CLI and SDKs read).</summary>
    public static Uri? EndpointFromEnvironment()
    {
        foreach (string name in new[] { "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL" })
        {
            if (Uri.TryCreate(NonEmpty(Environment.GetEnvironmentVariable(name)), UriKind.Absolute, out Uri? endpoint))
            {
                return endpoint;
            }
        }

        return null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <inheritdoc />
    public void Dispose() => Client.Dispose();
}
