using System.Buffers;
using System.Security.Cryptography;

namespace ModelAudit.Engine.IO;

/// <summary>
/// Computes SHA-256 of a seekable stream in the same pass the scanners read it. Bytes are hashed in file order;
/// when a scanner seeks past bytes not yet hashed, they are read once to catch up, so the hash costs one
/// sequential read of the file however the scanner moves through it. Catching up observes the scan's cancellation
/// token between 1 MiB blocks: a scanner that seeks past 20 GB of tensors must not make Ctrl+C wait for their hash.
/// A few reads far ahead are served without catching up (see <see cref="ReadAheadBudget"/>).
/// The catch-up buffer is rented when first needed and no larger than the file: a fresh 1 MiB array per file was most
/// of the cost of scanning a folder of small files (tests/Bench, the 20,000-file store).
/// </summary>
internal sealed class HashingStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    // Catch-up reads 1 MiB at a time: large enough that a read costs nothing beside hashing it.
    private const int CatchUpBlock = 1 << 20;

    // A read this close past the hashed bytes catches up at once: the gap costs less than reading it twice later.
    private const long NearGap = 64 << 10;

    // Reads far past the hashed bytes, up to this many bytes per file, are served without catching up: the bytes in
    // between are hashed later, in order. A zip's directory at its end, and the first bytes of each PyTorch storage,
    // are read before the tensors they describe are hashed, so weight analysis gets those tensors in the hashing pass
    // instead of a second read of the file. Past the budget, reads catch up as before, so bytes read twice stay bounded
    // (16 MiB covers the directory and storage heads of a checkpoint of some 3,000 tensors).
    private const long ReadAheadBudget = 16 << 20;

    private long _readAhead;

    private byte[]? _catchUp;
    private readonly CancellationToken _cancellationToken;
    private readonly IByteObserver? _observer;
    private long _hashed;

    // The observer also sees every hashed byte, once and in file order (weight analysis), so it needs no read of its own.
    public HashingStream(Stream inner, CancellationToken cancellationToken, IByteObserver? observer = null)
    {
        _cancellationToken = cancellationToken;
        _observer = observer;
        if (!inner.CanSeek)
        {
            throw new ArgumentException("HashingStream needs a seekable stream.", nameof(inner));
        }

        _inner = inner;
    }

    public override bool CanSeek => true;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    public override int Read(Span<byte> buffer)
    {
        long start = _inner.Position;
        if (start > _hashed)
        {
            if (start - _hashed > NearGap && _readAhead + buffer.Length <= ReadAheadBudget)
            {
                int ahead = _inner.Read(buffer);
                _readAhead += ahead;
                return ahead;
            }

            CatchUpTo(start);
        }

        int read = _inner.Read(buffer);
        long end = start + read;
        if (end > _hashed)
        {
            int skip = (int)(_hashed - start);
            _sha.AppendData(buffer.Slice(skip, read - skip));
            _observer?.Observe(_hashed, buffer.Slice(skip, read - skip));
            _hashed = end;
        }

        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    /// <summary>Ends reading ahead: from now on every read past the hashed bytes catches up first. Called once the
    /// format readings are done; reads after them (the polyglot checks' look at the tail) gain nothing from it.</summary>
    public void StopReadingAhead() => _readAhead = ReadAheadBudget + 1;

    /// <summary>Hashes whatever the scanners did not read and returns the lower-case hex digest.</summary>
    public string Finish()
    {
        long saved = _inner.Position;
        CatchUpTo(_inner.Length);
        _inner.Position = saved;
        return Convert.ToHexString(_sha.GetHashAndReset()).ToLowerInvariant();
    }

    private void CatchUpTo(long target)
    {
        if (_hashed >= target)
        {
            return;
        }

        long saved = _inner.Position;
        _inner.Position = _hashed;
        byte[] buffer = CatchUpBuffer(target - _hashed);
        while (_hashed < target)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            int want = (int)Math.Min(buffer.Length, target - _hashed);
            int read = _inner.Read(buffer, 0, want);
            if (read == 0)
            {
                break;
            }

            _sha.AppendData(buffer, 0, read);
            _observer?.Observe(_hashed, buffer.AsSpan(0, read));
            _hashed += read;
        }

        _inner.Position = saved;
    }

    // As large as the gap, up to a block; a small first gap does not keep later large ones on a small buffer.
    private byte[] CatchUpBuffer(long gap)
    {
        int size = (int)Math.Min(CatchUpBlock, gap);
        if (_catchUp is { } held && held.Length >= size)
        {
            return held;
        }

        if (_catchUp is not null)
        {
            ArrayPool<byte>.Shared.Return(_catchUp);
        }

        _catchUp = ArrayPool<byte>.Shared.Rent(size);
        return _catchUp;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha.Dispose();
            _inner.Dispose();
            if (_catchUp is { } buffer)
            {
                _catchUp = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        base.Dispose(disposing);
    }
}
