using ModelAudit.Engine.IO;

namespace ModelAudit.Engine.Containers;

/// <summary>Forward-only view of one tar member's bytes; reports what it consumed so the reader can skip the rest.</summary>
internal sealed class TarDataStream : ReadOnlyStream
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

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

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
}
