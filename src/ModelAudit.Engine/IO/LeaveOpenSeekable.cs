namespace ModelAudit.Engine.IO;

/// <summary>A seekable pass-through that ignores Dispose, for readers that close the stream they were given.</summary>
internal sealed class LeaveOpenSeekable : Stream
{
    private readonly Stream _inner;

    public LeaveOpenSeekable(Stream inner) => _inner = inner;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
