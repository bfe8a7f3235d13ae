namespace ModelAudit.Engine.Sources;

/// <summary>Things the file walk reports instead of scanning.</summary>
public enum SourceEventKind
{
    /// <summary>A symbolic link to a folder outside the scanned root; not followed (file links are scanned).</summary>
    LinkOutsideRoot,

    /// <summary>A symbolic link leads back into a folder already being walked; not followed.</summary>
    LinkLoop,

    /// <summary>A folder or file could not be read; the walk goes on.</summary>
    Unreadable,

    /// <summary>A symbolic link whose target does not exist; nothing to scan.</summary>
    DanglingLink,

    /// <summary>A file left out by -Include/-Exclude (a verbose note, not a problem).</summary>
    Filtered,

    /// <summary>A folder's sub-folders were not walked because -Recurse was not given; the message counts them.</summary>
    SubfoldersNotWalked,

    /// <summary>A remote bucket, repository or object that does not exist (S3 NoSuchBucket, NoSuchKey, 404).</summary>
    RemoteNotFound,

    /// <summary>A remote store refused the request (403, an unknown key, a bad signature).</summary>
    RemoteAccessDenied,
}
