using System.Net;

namespace ModelAudit.Engine.Sources.Http;

/// <summary>The source event a failed listing is reported as: 404 is "not found", 401 and 403 "access denied", the
/// rest "unreadable" — so the cmdlet writes ModelRemoteNotFound, ModelRemoteAccessDenied or ModelRemoteUnreadable,
/// as it does for S3.</summary>
public static class RemoteFailure
{
    /// <summary>The event kind for <paramref name="error"/>.</summary>
    public static SourceEventKind KindOf(Exception error) => (error as RemoteException)?.Status switch
    {
        HttpStatusCode.NotFound => SourceEventKind.RemoteNotFound,
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => SourceEventKind.RemoteAccessDenied,
        _ => SourceEventKind.Unreadable,
    };
}
