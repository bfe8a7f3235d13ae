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
    CancellationToken CancellationToken);
