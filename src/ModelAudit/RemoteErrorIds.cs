namespace ModelAudit.Commands;

/// <summary>The error ids written when a remote listing fails. Public contract: scripts match FullyQualifiedErrorId.</summary>
internal static class RemoteErrorIds
{
    /// <summary>The bucket, repository, object or prefix is not there (S3 NoSuchBucket/NoSuchKey, HTTP 404).</summary>
    public const string NotFound = "ModelRemoteNotFound";

    /// <summary>The store refused the request (403, an unknown access key, a signature that does not match).</summary>
    public const string AccessDenied = "ModelRemoteAccessDenied";

    /// <summary>Anything else: unreachable, timed out, a bad answer, a listing cut at its page limit.</summary>
    public const string Unreadable = "ModelRemoteUnreadable";
}
