namespace ModelAudit.Engine.IO;

/// <summary>
/// Replays bytes already read from a forward-only stream, then continues with the stream itself, so format
/// detection can peek at a non-seekable archive member without buffering the member.
/// </summary>
internal sealed class PrefixedStream : ReadOnlyStream
{
    private readonly byte[] _prefix;
    private readonly int _prefixLength;
    private readonly Stream _inner;
    private long _position;

    private PrefixedStream(byte[] prefix, int prefixLength, Stream inner)
    {
        _prefix = prefix;
        _prefixLength = prefixLength;
        _inner = inner;
    }

    /// <summary>
    /// Reads up to <paramref name="headSize"/> bytes and returns them with a stream positioned at the start again:
    /// the same stream rewound when it can seek, a replaying wrapper when it cannot.
    /// </summary>
    public static (byte[] Head, Stream Stream) Peek(Stream stream, int headSize)
    {
        byte[] buffer = new byte[headSize];
        long start = stream.CanSeek ? stream.Position : 0;
        int read = stream.ReadAtMost(buffer);
        byte[] head = buffer.AsSpan(0, read).ToArray();
        if (stream.CanSeek)
        {
            stream.Position = start;
            return (head, stream);
        }

        return (head, new PrefixedStream(head, read, stream));
    }

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        if (_position < _prefixLength)
        {
            int n = (int)Math.Min(buffer.Length, _prefixLength - _position);
            _prefix.AsSpan((int)_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        int read = _inner.Read(buffer);
        _position += read;
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
