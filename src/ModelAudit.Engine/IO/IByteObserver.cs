namespace ModelAudit.Engine.IO;

/// <summary>Sees a stream's bytes in file order as they are hashed, each byte once (weight analysis rides on it).</summary>
internal interface IByteObserver
{
    /// <summary><paramref name="bytes"/> start at <paramref name="offset"/>; offsets only grow from call to call.</summary>
    void Observe(long offset, ReadOnlySpan<byte> bytes);
}
