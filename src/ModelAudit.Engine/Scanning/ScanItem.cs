namespace ModelAudit.Engine.Scanning;

/// <summary>Something to scan: a display path, a size when known, and a way to open it for reading.</summary>
public sealed class ScanItem
{
    private readonly Func<Stream> _open;

    public ScanItem(string path, long? length, Func<Stream> open)
    {
        Path = path;
        Length = length;
        _open = open;
    }

    /// <summary>The path or URI shown in results.</summary>
    public string Path { get; }

    /// <summary>Size in bytes, when known before opening.</summary>
    public long? Length { get; }

    /// <summary>Opens a fresh read stream positioned at the start.</summary>
    public Stream OpenRead() => _open();

    /// <summary>An item for a local file.</summary>
    public static ScanItem ForFile(string fullPath) =>
        new(fullPath, new FileInfo(fullPath).Length, () => new FileStream(
            fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan));

    /// <inheritdoc />
    public override string ToString() => Path;
}
