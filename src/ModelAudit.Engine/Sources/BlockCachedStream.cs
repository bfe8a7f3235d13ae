namespace ModelAudit.Engine.Sources;

/// <summary>
/// A read-only, seekable stream over an <see cref="IRangeReader"/>: reads whole blocks and keeps the most recently
/// used few. Scanners seek (a zip's end record, then its directory, then each member), so a remote object is read
/// where it is needed instead of copied whole; memory stays at BlockSize × MaxBlocks whatever the object's size.
/// </summary>
public sealed class BlockCachedStream : Stream
{
    /// <summary>1 MiB: large enough that a sequential read costs few requests, small enough to cache several.</summary>
    public const int DefaultBlockSize = 1 << 20;

    /// <summary>Enough blocks for a zip's end, its directory and the member being read, at once.</summary>
    public const int DefaultMaxBlocks = 16;

    private readonly IRangeReader _reader;
    private readonly int _blockSize;
    private readonly int _maxBlocks;
    private readonly LinkedList<(long Index, byte[] Data, int Length)> _blocks = new();
    private readonly CancellationToken _cancellationToken;
    private long _position;

    public BlockCachedStream(IRangeReader reader, int blockSize = DefaultBlockSize, int maxBlocks = DefaultMaxBlocks, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlocks, 1);
        _reader = reader;
        _blockSize = blockSize;
        _maxBlocks = maxBlocks;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Range reads issued so far (for tests and the benchmark).</summary>
    public int RangeReads { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _reader.Length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int total = 0;
        while (buffer.Length > 0 && _position < Length)
        {
            long index = _position / _blockSize;
            var (data, length) = Block(index);
            int within = (int)(_position - index * _blockSize);
            int take = Math.Min(buffer.Length, length - within);
            if (take <= 0)
            {
                break; // the reader returned a short block before the end: nothing more to give
            }

            data.AsSpan(within, take).CopyTo(buffer);
            buffer = buffer[take..];
            _position += take;
            total += take;
        }

        return total;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => Length + offset,
    };

    public override void Flush()
    {
    }

    // The reader may hold a file (a download cache entry being written): it goes with the stream.
    protected override void Dispose(bool disposing)
    {
        if (disposing && _reader is IDisposable owned)
        {
            owned.Dispose();
        }

        base.Dispose(disposing);
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private (byte[] Data, int Length) Block(long index)
    {
        for (LinkedListNode<(long Index, byte[] Data, int Length)>? node = _blocks.First; node is not null; node = node.Next)
        {
            if (node.Value.Index == index)
            {
                _blocks.Remove(node);
                _blocks.AddFirst(node);
                return (node.Value.Data, node.Value.Length);
            }
        }

        byte[] data = _blocks.Count >= _maxBlocks ? _blocks.Last!.Value.Data : new byte[_blockSize];
        if (_blocks.Count >= _maxBlocks)
        {
            _blocks.RemoveLast();
        }

        int length = ReadFully(index * _blockSize, data);
        _blocks.AddFirst((index, data, length));
        return (data, length);
    }

    private int ReadFully(long offset, byte[] data)
    {
        int want = (int)Math.Min(_blockSize, Length - offset);
        int read = 0;
        while (read < want)
        {
            RangeReads++;
            int n = _reader.ReadAt(offset + read, data.AsSpan(read, want - read), _cancellationToken);
            if (n <= 0)
            {
                break;
            }

            read += n;
        }

        return read;
    }
}
