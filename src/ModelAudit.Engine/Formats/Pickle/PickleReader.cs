using System.Buffers.Binary;
using ModelAudit.Engine.IO;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Buffered forward reader for the pickle VM. Large arguments are skipped by seek when the stream allows it,
/// so a 1 GiB BINBYTES8 costs a seek, not a read. Throws <see cref="EndOfStreamException"/> at a truncation.
/// It reads the bytes in one of two ways: linearly, as <c>pickle.loads</c> and a file with <c>peek()</c> do, or as
/// <c>_pickle.c</c> reads a file without <c>peek()</c> (an <c>io.BytesIO</c>, which is what <c>torch.load</c> hands it):
/// see <see cref="ReadsLikeCFile"/>.
/// </summary>
internal sealed class PickleReader
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private long _bufferStart;
    private int _length;
    private int _pos;

    /// <param name="stream">The pickle bytes.</param>
    /// <param name="endIsReal">False when the stream is only the head of the data (sniffing): its end is then not
    /// the end a loader sees, and a line it cuts is not a last line.</param>
    /// <param name="readsLikeCFile">Read as <c>_pickle.c</c> reads a file without <c>peek()</c>.</param>
    public PickleReader(Stream stream, bool endIsReal = true, bool readsLikeCFile = false)
    {
        _stream = stream;
        _bufferStart = stream.CanSeek ? stream.Position : 0;
        _endIsReal = endIsReal;
        ReadsLikeCFile = readsLikeCFile;
    }

    private readonly bool _endIsReal;

    // _pickle.c over a file without peek() buffers exactly the bytes of one FRAME. A read the buffer cannot satisfy
    // silently drops what is left of it and reads afresh from the file, which stands at the frame's end; a line with
    // no newline before the frame's end is dropped and a new one read from there. -1: nothing buffered (outside a
    // frame every read is a fresh read of exactly its size, so the two readings agree).
    private long _cBufferEnd = -1;

    // Where the current FRAME ends, for grading a layout against CPython's two unpicklers (-1: no frame, or its bytes
    // are all read). pickle.py's _Unframer serves each read from the frame while it has bytes and from the file once
    // it has none, and fails on a read that starts inside and ends past it; see PickleFrameCrossing.
    private long _gradedFrameEnd = -1;

    /// <summary>The first read since the last <see cref="TakeFrameCrossing"/> that started inside the current FRAME
    /// and ended past it, if any.</summary>
    private PickleFrameCrossing? _crossing;

    /// <summary>A FRAME opened: reads are graded against its end (<paramref name="end"/>) until they reach it.</summary>
    public void TrackFrame(long end) => _gradedFrameEnd = end;

    /// <summary>The read that crossed the tracked frame's end since the last call, once.</summary>
    public PickleFrameCrossing? TakeFrameCrossing()
    {
        PickleFrameCrossing? crossing = _crossing;
        _crossing = null;
        return crossing;
    }

    // A read of count bytes starts here: past the frame end every reader reads the file (they agree); across it they
    // do not. A read that starts exactly at the end is how the pickler writes large bytes objects, and is no crossing.
    // The count is compared, never added: a crafted BINBYTES8 declares long.MaxValue.
    private void GradeRead(long start, long count, bool line)
    {
        if (_gradedFrameEnd < 0)
        {
            return;
        }

        if (start >= _gradedFrameEnd)
        {
            _gradedFrameEnd = -1;
            return;
        }

        if (count > _gradedFrameEnd - start)
        {
            long end = count > long.MaxValue - start ? long.MaxValue : start + count;
            _crossing ??= new PickleFrameCrossing(start, end, _gradedFrameEnd, line);
            _gradedFrameEnd = -1;
        }
    }

    /// <summary>True when this reader follows <c>_pickle.c</c> over a file without <c>peek()</c>: a read that crosses
    /// the end of the current FRAME resumes at that end, skipping the rest of the frame (the pure-Python unpickler
    /// fails there; a linear reading goes on inside the frame).</summary>
    public bool ReadsLikeCFile { get; }

    /// <summary>Prepares a read of <paramref name="count"/> bytes the way <c>_pickle.c</c> does it in one call (an
    /// argument the VM then reads in parts): when it crosses the buffered frame's end, the rest of the frame is dropped
    /// first. A no-op for a linear reader.</summary>
    public void BeginRead(long count)
    {
        GradeRead(Position, count, line: false);
        if (_cBufferEnd < 0)
        {
            return;
        }

        long position = Position;
        if (count <= _cBufferEnd - position)
        {
            return;
        }

        long drop = _cBufferEnd - position;
        _cBufferEnd = -1;
        if (drop > 0)
        {
            SkipBytes(drop, CancellationToken.None);
        }
    }

    /// <summary>A FRAME opcode declared <paramref name="length"/> bytes. For a <c>_pickle.c</c>-like reader, a frame
    /// that fits in what is buffered changes nothing (C reads it from its buffer and rewinds); otherwise the rest of the
    /// buffer is dropped and the next <paramref name="length"/> bytes become the buffer.</summary>
    public void EnterFrame(long length)
    {
        if (!ReadsLikeCFile || (_cBufferEnd >= 0 && length <= _cBufferEnd - Position))
        {
            return;
        }

        BeginRead(length);
        if (Length is { } total && length > total - Position)
        {
            throw new EndOfStreamException(); // "pickle data was truncated"
        }

        _cBufferEnd = Position + length;
    }

    /// <summary>Offset of the next byte, relative to the start of the stream.</summary>
    public long Position => _bufferStart + _pos;

    /// <summary>Total length when the stream can tell it.</summary>
    public long? Length => _stream.CanSeek ? _stream.Length : null;

    public bool CanSeek => _stream.CanSeek;

    /// <summary>The underlying stream (for windows over skipped payloads).</summary>
    public Stream BaseStream => _stream;

    /// <summary>True when no byte is left.</summary>
    public bool AtEnd => _pos >= _length && !Fill();

    public int PeekByte() => _pos < _length || Fill() ? _buffer[_pos] : -1;

    public byte ReadByte()
    {
        if (_pos >= _length && !Fill())
        {
            throw new EndOfStreamException();
        }

        return _buffer[_pos++];
    }

    public ushort ReadUInt16()
    {
        Span<byte> b = stackalloc byte[2];
        ReadExactly(b);
        return BinaryPrimitives.ReadUInt16LittleEndian(b);
    }

    public uint ReadUInt32()
    {
        Span<byte> b = stackalloc byte[4];
        ReadExactly(b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    public int ReadInt32()
    {
        Span<byte> b = stackalloc byte[4];
        ReadExactly(b);
        return BinaryPrimitives.ReadInt32LittleEndian(b);
    }

    public ulong ReadUInt64()
    {
        Span<byte> b = stackalloc byte[8];
        ReadExactly(b);
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    public double ReadDoubleBigEndian()
    {
        Span<byte> b = stackalloc byte[8];
        ReadExactly(b);
        return BinaryPrimitives.ReadDoubleBigEndian(b);
    }

    public void ReadExactly(Span<byte> destination)
    {
        BeginRead(destination.Length);
        int done = 0;
        while (done < destination.Length)
        {
            if (_pos >= _length && !Fill())
            {
                throw new EndOfStreamException();
            }

            int n = Math.Min(destination.Length - done, _length - _pos);
            _buffer.AsSpan(_pos, n).CopyTo(destination[done..]);
            _pos += n;
            done += n;
        }
    }

    public byte[] ReadBytes(int count)
    {
        BeginRead(count);
        if (Length is { } total && Position + count > total)
        {
            throw new EndOfStreamException();
        }

        byte[] data = new byte[count];
        ReadExactly(data);
        return data;
    }

    /// <summary>
    /// Reads up to and including '\n' (CPython's readline: no length limit) and returns the line without it. At most
    /// <paramref name="keep"/> bytes are kept; the rest is read through and counted, so a long protocol-0 argument costs
    /// no memory. Throws <see cref="EndOfStreamException"/> when the data ends before the newline.
    /// </summary>
    public PickleLine ReadLine(int keep, CancellationToken cancellationToken)
    {
        long lineStart = Position;
        PickleLine line = ReadLineFrom(keep, cancellationToken);
        GradeRead(lineStart, Position - lineStart, line: true);
        return line;
    }

    private PickleLine ReadLineFrom(int keep, CancellationToken cancellationToken)
    {
        var kept = new List<byte>(Math.Min(keep, 64));
        long length = 0;
        byte last = 0;
        while (true)
        {
            if (_cBufferEnd >= 0 && Position >= _cBufferEnd)
            {
                // _pickle.c found no newline in its buffered frame: it drops the partial line and reads a whole new
                // one from the file, which stands at the frame's end.
                _cBufferEnd = -1;
                kept.Clear();
                length = 0;
                last = 0;
            }

            if (_pos >= _length && !Fill())
            {
                // At the end of the data pickle._Unpickler (joblib's unpickler) takes a line without its newline and
                // drops its last byte (readline()[:-1]); _pickle.c fails. Reading it the pure-Python way keeps the
                // import that reading makes ('cposix\nsy' imports posix.s).
                if (_endIsReal && !ReadsLikeCFile && length > 0 && kept.Count == length)
                {
                    kept.RemoveAt(kept.Count - 1);
                    return new PickleLine(kept.ToArray(), length - 1, kept.Count > 0 ? kept[^1] : (byte)0);
                }

                throw new EndOfStreamException();
            }

            int available = _length - _pos;
            if (_cBufferEnd >= 0)
            {
                available = (int)Math.Min(available, _cBufferEnd - Position);
            }

            int newline = _buffer.AsSpan(_pos, available).IndexOf((byte)'\n');
            int end = newline < 0 ? _pos + available : _pos + newline;
            int take = Math.Min(end - _pos, Math.Max(0, keep - kept.Count));
            for (int i = 0; i < take; i++)
            {
                kept.Add(_buffer[_pos + i]);
            }

            if (end > _pos)
            {
                last = _buffer[end - 1];
                length += end - _pos;
            }

            if (newline >= 0)
            {
                _pos = end + 1;
                return new PickleLine(kept.ToArray(), length, last);
            }

            _pos = end;
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Skips <paramref name="count"/> bytes; by seek when possible. Throws at a truncation.</summary>
    public void Skip(long count, CancellationToken cancellationToken)
    {
        BeginRead(count);
        SkipBytes(count, cancellationToken);
    }

    private void SkipBytes(long count, CancellationToken cancellationToken)
    {
        long inBuffer = _length - _pos;
        if (count <= inBuffer)
        {
            _pos += (int)count;
            return;
        }

        long rest = count - inBuffer;
        long after = _bufferStart + _length + rest;
        if (_stream.CanSeek)
        {
            if (after > _stream.Length)
            {
                throw new EndOfStreamException();
            }

            _stream.Seek(after, SeekOrigin.Begin);
        }
        else
        {
            while (rest > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = _stream.Read(_buffer, 0, (int)Math.Min(_buffer.Length, rest));
                if (n == 0)
                {
                    throw new EndOfStreamException();
                }

                rest -= n;
            }
        }

        _bufferStart = after;
        _length = 0;
        _pos = 0;
    }

    private bool Fill()
    {
        _bufferStart += _length;

        // A nested scan may have moved a shared seekable stream; resume where this reader left off.
        if (_stream.CanSeek && _stream.Position != _bufferStart)
        {
            _stream.Position = _bufferStart;
        }

        _pos = 0;
        _length = 0;
        int n = _stream.Read(_buffer, 0, _buffer.Length);
        if (n <= 0)
        {
            return false;
        }

        _length = n;
        return true;
    }
}
