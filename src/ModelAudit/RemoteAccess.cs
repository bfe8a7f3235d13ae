using System.Net;

namespace ModelAudit.Commands;

/// <summary>What the cmdlet parameters say about reaching remote stores, in plain types the engine boundary can
/// take. The credential stays a <see cref="NetworkCredential"/>, whose ToString never shows the password.</summary>
internal sealed record RemoteAccess(
    NetworkCredential? Credential,
    Uri? EndpointUrl,
    string? Region,
    string? ProfileName,
    long? MaxDownloadSize,
    CancellationToken CancellationToken)
{
    /// <summary>-CacheDirectory as a full path; null leaves the choice to MODELAUDIT_CACHE_DIR.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>-NoCache: no download cache, whatever names one.</summary>
    public bool NoCache { get; init; }
}
