namespace ModelAudit.Engine.Containers;

/// <summary>Forward-only view of one tar member's bytes; reports what it consumed so the reader can skip the rest.</summary>
internal sealed class TarDataStream : Stream
{
    private readonly Stream _inner;
    private readonly long _length;
    private readonly Action<long> _consumed;
    private long _position;

    public TarDataStream(Stream inner, long length, Action<long> consumed)
    {
        _inner = inner;
        _length = length;
        _consumed = consumed;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long remaining = _length - _position;
        if (remaining <= 0)
        {
            return 0;
        }

        int read = _inner.Read(buffer[..(int)Math.Min(buffer.Length, remaining)]);
        _position += read;
        _consumed(read);
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
