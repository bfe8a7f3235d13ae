using System.Buffers.Binary;
using ModelAudit.Engine.IO;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Buffered forward reader for the pickle VM. Large arguments are skipped by seek when the stream allows it,
/// so a 1 GiB BINBYTES8 costs a seek, not a read. Throws <see cref="EndOfStreamException"/> at a truncation.
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
    public PickleReader(Stream stream, bool endIsReal = true)
    {
        _stream = stream;
        _bufferStart = stream.CanSeek ? stream.Position : 0;
        _endIsReal = endIsReal;
    }

    private readonly bool _endIsReal;

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
        var kept = new List<byte>(Math.Min(keep, 64));
        long length = 0;
        byte last = 0;
        while (true)
        {
            if (_pos >= _length && !Fill())
            {
                // At the end of the data pickle._Unpickler (joblib's unpickler) takes a line without its newline and
                // drops its last byte (readline()[:-1]); _pickle.c fails. Reading it the pure-Python way keeps the
                // import that reading makes ('cposix\nsy' imports posix.s).
                if (_endIsReal && length > 0 && kept.Count == length)
                {
                    kept.RemoveAt(kept.Count - 1);
                    return new PickleLine(kept.ToArray(), length - 1, kept.Count > 0 ? kept[^1] : (byte)0);
                }

                throw new EndOfStreamException();
            }

            int newline = _buffer.AsSpan(_pos, _length - _pos).IndexOf((byte)'\n');
            int end = newline < 0 ? _length : _pos + newline;
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

    /// <summary>Up to <paramref name="count"/> newline-terminated lines starting at <paramref name="position"/>, each
    /// at most <paramref name="maxLine"/> bytes, read beside this reader without moving it; null when the stream
    /// cannot seek. For a second reading of the same bytes (the lines the C unpickler reads after a frame).</summary>
    public List<byte[]>? PeekLinesAt(long position, int count, int maxLine)
    {
        if (!_stream.CanSeek)
        {
            return null;
        }

        long saved = _stream.Position;
        try
        {
            _stream.Position = position;
            byte[] chunk = new byte[count * (maxLine + 1)];
            int read = _stream.ReadAtMost(chunk);
            var lines = new List<byte[]>(count);
            int start = 0;
            while (lines.Count < count)
            {
                int newline = Array.IndexOf(chunk, (byte)'\n', start, read - start);
                if (newline < 0)
                {
                    break; // the C unpickler fails on a line without its newline
                }

                lines.Add(chunk[start..newline]);
                start = newline + 1;
            }

            return lines;
        }
        finally
        {
            _stream.Position = saved; // Fill() resumes from this reader's own offset anyway
        }
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
