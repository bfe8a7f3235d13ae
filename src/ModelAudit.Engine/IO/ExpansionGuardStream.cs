using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.IO;

/// <summary>
/// Wraps a decompressing stream: counts expanded bytes against the file's budget and stops a decompression bomb
/// (expansion beyond the ratio once past a floor) with a finding and a limit exception, before it costs more.
/// </summary>
internal sealed class ExpansionGuardStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly long _compressedSize;
    private readonly Func<long>? _compressedRead;
    private readonly ScanContext _context;
    private readonly string _what;
    private long _expanded;

    /// <param name="inner">The decompressing stream.</param>
    /// <param name="compressedSize">Compressed size of the whole member.</param>
    /// <param name="context">The scan, for its budgets and findings.</param>
    /// <param name="what">How findings name the member.</param>
    /// <param name="compressedRead">Compressed bytes consumed so far, when the source can tell: the ratio is then judged
    /// as expansion goes, so a bomb stops near the floor instead of near its full size.</param>
    public ExpansionGuardStream(Stream inner, long compressedSize, ScanContext context, string what, Func<long>? compressedRead = null)
    {
        _inner = inner;
        _compressedSize = Math.Max(1, compressedSize);
        _compressedRead = compressedRead;
        _context = context;
        _what = what;
    }

    public override long Position
    {
        get => _expanded;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = _inner.Read(buffer);
        }
        catch (Exception ex) when (IsDecoderFault(ex))
        {
            throw Corrupt(ex);
        }

        _expanded += read;
        if (!_context.TryAddExpanded(read))
        {
            _context.Report(RuleIds.DecompressionBomb, $"{_what} expands past the {_context.Limits.MaxExpandedBytes:N0}-byte budget for this file.", null, _what);
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxExpandedBytes), $"{_what}: expanded-bytes budget spent");
        }

        long compressed = Math.Max(1, _compressedRead?.Invoke() ?? _compressedSize);
        if (_expanded > _context.Limits.CompressionRatioFloor && _expanded > compressed * _context.Limits.MaxCompressionRatio)
        {
            _context.Report(RuleIds.DecompressionBomb,
                $"{_what} expands more than {_context.Limits.MaxCompressionRatio:N0}× ({compressed:N0} compressed bytes gave {_expanded:N0} and counting).", null, _what);
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxCompressionRatio), $"{_what}: compression ratio over the limit");
        }

        return read;
    }

    /// <summary>Opens a decompressor whose constructor already decodes (SharpCompress's bzip2 reads its first block
    /// there), reporting a decoder fault while opening as corrupt data, as <see cref="Read"/> does later.</summary>
    public static Stream OpenDecoder(Func<Stream> open, string what)
    {
        try
        {
            return open();
        }
        catch (Exception ex) when (IsDecoderFault(ex))
        {
            throw Corrupt(what, ex);
        }
    }

    // A decompressor fed corrupt data fails with whatever its code hits (IndexOutOfRangeException in SharpCompress's
    // LZMA window, ArgumentOutOfRangeException in a bad Huffman table): that is malformed input, not a fault of ours.
    private static bool IsDecoderFault(Exception ex) => ex is not (ModelAuditException or IOException or OperationCanceledException);

    private InvalidDataException Corrupt(Exception ex) => Corrupt(_what, ex);

    private static InvalidDataException Corrupt(string what, Exception ex) => new($"{what} could not be decompressed ({ex.GetType().Name}: {ex.Message})", ex);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // A forward-only reader decompresses the rest of the entry when it is disposed, so corrupt data throws here too.
            try
            {
                _inner.Dispose();
            }
            catch (Exception ex) when (IsDecoderFault(ex))
            {
                throw Corrupt(ex);
            }
        }

        base.Dispose(disposing);
    }
}
