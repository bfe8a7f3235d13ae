namespace ModelAudit.Engine.Scanning;

/// <summary>
/// What a source knows about an item before it is read: where a link points, the hash its store publishes (a
/// Hugging Face LFS oid is a SHA-256 the scan's own hash is compared with), its ETag, and whether it is an ordinary
/// file at all.
/// </summary>
public sealed record SourceItemInfo
{
    public static SourceItemInfo None { get; } = new();

    /// <summary>The final target when the item is reached through a symbolic link.</summary>
    public string? LinkTarget { get; init; }

    /// <summary>The SHA-256 the store publishes for the content (lower-case hex), when it publishes one.</summary>
    public string? PublishedSha256 { get; init; }

    /// <summary>The store's entity tag or version id, when it has one.</summary>
    public string? ETag { get; init; }

    /// <summary>What kind of non-regular file the item is (FIFO, socket, character device…), or null for a regular file.</summary>
    public string? NotRegular { get; init; }
}
