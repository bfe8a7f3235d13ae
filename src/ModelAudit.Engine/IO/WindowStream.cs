namespace ModelAudit.Engine.IO;

/// <summary>
/// A read-only, seekable window [start, start+length) of a seekable parent stream: lets a stored archive member
/// or an embedded payload be scanned (and skipped by seek) without copying it.
/// </summary>
internal sealed class WindowStream : ReadOnlyStream
{
    private readonly Stream _parent;
    private readonly long _start;
    private readonly long _length;
    private long _position;

    public WindowStream(Stream parent, long start, long length)
    {
        _parent = parent;
        _start = start;
        _length = Math.Max(0, Math.Min(length, parent.Length - start));
    }

    public override bool CanSeek => true;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, _length);
    }

    public override int Read(Span<byte> buffer)
    {
        long remaining = _length - _position;
        if (remaining <= 0)
        {
            return 0;
        }

        if (buffer.Length > remaining)
        {
            buffer = buffer[..(int)remaining];
        }

        _parent.Position = _start + _position;
        int read = _parent.Read(buffer);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _length + offset,
        };
        return _position;
    }
}
