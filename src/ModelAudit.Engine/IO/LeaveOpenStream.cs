namespace ModelAudit.Engine.IO;

/// <summary>Forwards everything but Dispose, for readers and decompressors that close the stream they were given.</summary>
internal sealed class LeaveOpenStream : ReadOnlyStream
{
    private readonly Stream _inner;

    public LeaveOpenStream(Stream inner) => _inner = inner;

    public override bool CanSeek => _inner.CanSeek;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);
}
