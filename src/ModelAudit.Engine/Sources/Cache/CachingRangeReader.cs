using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace ModelAudit.Engine.Sources.Cache;

/// <summary>
/// An <see cref="IRangeReader"/> over a cache entry. A hit (an entry of the object's length) serves every range from
/// the local file and transfers nothing. A miss reads through the store's reader and writes each range at its
/// offset into a private temporary file; once every byte was read (the hashed scan reads them all) and, where the
/// store publishes a SHA-256, the bytes match it, the file is renamed into place, so an entry is never half written.
/// Cache trouble (disk full, a folder that vanished) only stops caching; it never fails the scan.
/// </summary>
internal sealed class CachingRangeReader : IRangeReader, IDisposable
{
    // The hash of a completed entry is read back in 1 MiB pieces: memory stays flat whatever the object's size.
    private const int HashChunk = 1 << 20;

    private readonly IRangeReader _inner;
    private readonly string _entryPath;
    private readonly string? _publishedSha256;

    // Ranges written to the temporary file, merged and sorted by start; [Start, End).
    private readonly List<(long Start, long End)> _written = new();
    private SafeFileHandle? _hit;
    private SafeFileHandle? _pending;
    private string? _pendingPath;
    private bool _abandoned;

    public CachingRangeReader(IRangeReader inner, string entryPath, string? publishedSha256)
    {
        _inner = inner;
        _entryPath = entryPath;
        _publishedSha256 = publishedSha256;
        _hit = OpenHit();
    }

    /// <inheritdoc />
    public long Length => _inner.Length;

    /// <summary>True when the object is served from the cache.</summary>
    public bool IsHit => _hit is not null;

    /// <inheritdoc />
    public int ReadAt(long offset, Span<byte> buffer, CancellationToken cancellationToken)
    {
        if (_hit is { } hit)
        {
            int want = (int)Math.Min(buffer.Length, Math.Max(0, Length - offset));
            int read = 0;
            while (read < want)
            {
                int n = RandomAccess.Read(hit, buffer[read..want], offset + read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return read;
        }

        int got = _inner.ReadAt(offset, buffer, cancellationToken);
        if (got > 0 && !_abandoned)
        {
            Keep(offset, buffer[..got]);
        }

        return got;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _hit?.Dispose();
        _hit = null;
        Abandon();
    }

    // An entry counts only at the object's exact length; one of another length (truncated, or a crash mid-copy by
    // another tool) is ignored here and replaced when this read completes.
    private SafeFileHandle? OpenHit()
    {
        try
        {
            SafeFileHandle handle = File.OpenHandle(_entryPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            if (RandomAccess.GetLength(handle) == _inner.Length)
            {
                return handle;
            }

            handle.Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _ = ex; // no entry (or an unreadable one): a miss
        }

        return null;
    }

    private void Keep(long offset, ReadOnlySpan<byte> bytes)
    {
        try
        {
            if (_pending is null)
            {
                _pendingPath = _entryPath + "." + Guid.NewGuid().ToString("N") + ".partial";
                _pending = File.OpenHandle(_pendingPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
                RandomAccess.SetLength(_pending, Length);
            }

            RandomAccess.Write(_pending, bytes, offset);
            if (Add(offset, offset + bytes.Length))
            {
                Commit();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _ = ex; // the cache is an optimisation: the scan goes on uncached
            Abandon();
        }
    }

    // Adds [start, end) to the written ranges; true once they cover the whole object.
    private bool Add(long start, long end)
    {
        int i = 0;
        while (i < _written.Count && _written[i].End < start)
        {
            i++;
        }

        while (i < _written.Count && _written[i].Start <= end)
        {
            start = Math.Min(start, _written[i].Start);
            end = Math.Max(end, _written[i].End);
            _written.RemoveAt(i);
        }

        _written.Insert(i, (start, end));
        return _written.Count == 1 && _written[0].Start == 0 && _written[0].End >= Length;
    }

    private void Commit()
    {
        SafeFileHandle pending = _pending!;
        if (_publishedSha256 is { } published && !string.Equals(Sha256Of(pending), published, StringComparison.OrdinalIgnoreCase))
        {
            Abandon(); // the bytes are not what the store publishes: the scan reports that, the cache keeps none of it
            return;
        }

        pending.Dispose();
        _pending = null;
        File.Move(_pendingPath!, _entryPath, overwrite: true);
        _pendingPath = null;
        _abandoned = true; // done: later reads (none in a hashed scan) need not be kept again
    }

    private string Sha256Of(SafeFileHandle handle)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] chunk = new byte[HashChunk];
        for (long at = 0; at < Length;)
        {
            int n = RandomAccess.Read(handle, chunk, at);
            if (n == 0)
            {
                break;
            }

            hash.AppendData(chunk, 0, n);
            at += n;
        }

        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private void Abandon()
    {
        _abandoned = true;
        _pending?.Dispose();
        _pending = null;
        if (_pendingPath is { } path)
        {
            _pendingPath = null;
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _ = ex; // a leftover .partial is never read as an entry (its name differs)
            }
        }
    }
}
