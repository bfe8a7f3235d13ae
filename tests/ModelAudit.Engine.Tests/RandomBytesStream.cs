namespace ModelAudit.Engine.Tests;

/// <summary>A forward-only stream of deterministic random bytes, as many as asked for, generated as read (nothing is
/// held), handed out a few kilobytes per Read as a network or archive stream does.</summary>
internal sealed class RandomBytesStream : Stream
{
    // Short reads of an odd size, so callers that assume full buffers are caught.
    private const int MaxRead = 7919;

    private readonly Random _random;
    private readonly long _length;
    private long _position;

    public RandomBytesStream(long length, int seed)
    {
        _length = length;
        _random = new Random(seed);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = (int)Math.Min(Math.Min(buffer.Length, MaxRead), _length - _position);
        _random.NextBytes(buffer[..n]);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
