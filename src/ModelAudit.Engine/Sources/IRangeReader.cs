namespace ModelAudit.Engine.Sources;

/// <summary>Random access to an object of known length by byte ranges (an HTTP range GET, an S3 ranged GetObject).</summary>
public interface IRangeReader
{
    /// <summary>The object's length in bytes.</summary>
    long Length { get; }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; returns how many were read
    /// (fewer only at the end of the object).</summary>
    int ReadAt(long offset, Span<byte> buffer, CancellationToken cancellationToken);
}
