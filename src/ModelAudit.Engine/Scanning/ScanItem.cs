namespace ModelAudit.Engine.Scanning;

/// <summary>Something to scan: a display path, a size when known, what its source knows about it, and a way to open it.</summary>
public sealed class ScanItem
{
    private readonly Func<Stream> _open;

    public ScanItem(string path, long? length, Func<Stream> open, SourceItemInfo? info = null)
    {
        Path = path;
        Length = length;
        _open = open;
        Info = info ?? SourceItemInfo.None;
    }

    /// <summary>The path or URI shown in results.</summary>
    public string Path { get; }

    /// <summary>Size in bytes, when known before opening.</summary>
    public long? Length { get; }

    /// <summary>What the source knows about the item before reading it (link target, published hash, ETag).</summary>
    public SourceItemInfo Info { get; }

    /// <summary>Why the item must not be opened (a FIFO, socket or device), or null for an ordinary file.</summary>
    public string? NotRegularReason => Info.NotRegular;

    /// <summary>Opens a fresh read stream positioned at the start.</summary>
    public Stream OpenRead() => _open();

    /// <inheritdoc />
    public override string ToString() => Path;
}
