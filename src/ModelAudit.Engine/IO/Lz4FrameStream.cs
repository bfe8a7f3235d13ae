using System.Buffers.Binary;

namespace ModelAudit.Engine.IO;

/// <summary>
/// A forward-only decoder for LZ4 frames (the format of joblib's lz4 compression and the lz4 command line tool):
/// frame header, linked or independent blocks, optional checksums (not verified), concatenated frames.
/// Written here because no chosen dependency reads LZ4 frames; every length and offset is bounds-checked.
/// </summary>
internal sealed class Lz4FrameStream : ReadOnlyStream
{
    private const uint FrameMagic = 0x184D2204;
    private const int HistorySize = 1 << 16;

    private readonly Stream _inner;
    private byte[] _window = Array.Empty<byte>();
    private byte[] _block = Array.Empty<byte>();
    private int _windowLength;
    private int _readPosition;
    private bool _inFrame;
    private bool _blockChecksum;
    private bool _contentChecksum;
    private int _blockMax;
    private bool _done;

    public Lz4FrameStream(Stream inner) => _inner = inner;

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        while (_readPosition >= _windowLength)
        {
            if (_done || !DecodeNextBlock())
            {
                return 0;
            }
        }

        int n = Math.Min(buffer.Length, _windowLength - _readPosition);
        _window.AsSpan(_readPosition, n).CopyTo(buffer);
        _readPosition += n;
        return n;
    }

    private bool DecodeNextBlock()
    {
        if (!_inFrame && !ReadFrameHeader())
        {
            _done = true;
            return false;
        }

        uint size = ReadUInt32();
        if (size == 0)
        {
            if (_contentChecksum)
            {
                ReadExact(new byte[4]);
            }

            _inFrame = false;
            return true;
        }

        bool stored = (size & 0x80000000) != 0;
        int length = (int)(size & 0x7FFFFFFF);
        if (length > _blockMax)
        {
            throw new InvalidDataException($"LZ4 block of {length} bytes is larger than the frame's {_blockMax}-byte maximum");
        }

        // Keep the last 64 KiB as history for linked blocks, then decode after it.
        if (_windowLength > HistorySize)
        {
            Buffer.BlockCopy(_window, _windowLength - HistorySize, _window, 0, HistorySize);
            _windowLength = HistorySize;
        }

        _readPosition = _windowLength;
        if (_block.Length < length)
        {
            _block = new byte[_blockMax];
        }

        ReadExact(_block.AsSpan(0, length));
        if (stored)
        {
            _block.AsSpan(0, length).CopyTo(_window.AsSpan(_windowLength));
            _windowLength += length;
        }
        else
        {
            DecodeBlock(_block.AsSpan(0, length));
        }

        if (_blockChecksum)
        {
            ReadExact(new byte[4]);
        }

        return true;
    }

    private bool ReadFrameHeader()
    {
        while (true)
        {
            Span<byte> magic = stackalloc byte[4];
            if (_inner.ReadAtMost(magic) < 4)
            {
                return false;
            }

            uint value = BinaryPrimitives.ReadUInt32LittleEndian(magic);
            if ((value & 0xFFFFFFF0) == 0x184D2A50)
            {
                _inner.Skip(ReadUInt32()); // skippable frame
                continue;
            }

            if (value != FrameMagic)
            {
                throw new InvalidDataException("not an LZ4 frame");
            }

            break;
        }

        byte flags = ReadHeaderByte();
        byte blockDescriptor = ReadHeaderByte();
        if ((flags >> 6) != 1)
        {
            throw new InvalidDataException("unsupported LZ4 frame version");
        }

        _blockChecksum = (flags & 0x10) != 0;
        _contentChecksum = (flags & 0x04) != 0;
        _blockMax = ((blockDescriptor >> 4) & 7) switch
        {
            4 => 64 << 10,
            5 => 256 << 10,
            6 => 1 << 20,
            7 => 4 << 20,
            _ => throw new InvalidDataException("invalid LZ4 block size"),
        };
        int skip = ((flags & 0x08) != 0 ? 8 : 0) + ((flags & 0x01) != 0 ? 4 : 0) + 1; // content size, dictionary id, header checksum
        ReadExact(new byte[skip]);
        if (_window.Length < HistorySize + _blockMax)
        {
            var window = new byte[HistorySize + _blockMax];
            _window.AsSpan(0, _windowLength).CopyTo(window);
            _window = window;
        }

        _inFrame = true;
        return true;
    }

    private void DecodeBlock(ReadOnlySpan<byte> src)
    {
        int limit = _windowLength + _blockMax;
        int i = 0;
        while (i < src.Length)
        {
            byte token = src[i++];
            int literals = token >> 4;
            if (literals == 15)
            {
                literals += ReadExtendedLength(src, ref i);
            }

            if (literals > src.Length - i || _windowLength + literals > limit)
            {
                throw new InvalidDataException("LZ4 literals run past the block");
            }

            src.Slice(i, literals).CopyTo(_window.AsSpan(_windowLength));
            _windowLength += literals;
            i += literals;
            if (i >= src.Length)
            {
                break; // the last sequence has literals only
            }

            if (i + 2 > src.Length)
            {
                throw new InvalidDataException("LZ4 match offset truncated");
            }

            int offset = src[i] | (src[i + 1] << 8);
            i += 2;
            int match = (token & 15) + 4;
            if ((token & 15) == 15)
            {
                match += ReadExtendedLength(src, ref i);
            }

            if (offset == 0 || offset > _windowLength || _windowLength + match > limit)
            {
                throw new InvalidDataException("LZ4 match outside the window");
            }

            // Byte by byte: matches may overlap their own output.
            int from = _windowLength - offset;
            for (int k = 0; k < match; k++)
            {
                _window[_windowLength++] = _window[from + k];
            }
        }
    }

    private static int ReadExtendedLength(ReadOnlySpan<byte> src, ref int i)
    {
        int total = 0;
        byte b;
        do
        {
            if (i >= src.Length)
            {
                throw new InvalidDataException("LZ4 length truncated");
            }

            b = src[i++];
            total += b;
            if (total > 1 << 24)
            {
                throw new InvalidDataException("LZ4 length too large");
            }
        }
        while (b == 255);
        return total;
    }

    private byte ReadHeaderByte()
    {
        int b = _inner.ReadByte();
        return b < 0 ? throw new EndOfStreamException() : (byte)b;
    }

    private uint ReadUInt32()
    {
        Span<byte> b = stackalloc byte[4];
        ReadExact(b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    private void ReadExact(Span<byte> destination)
    {
        if (_inner.ReadAtMost(destination) < destination.Length)
        {
            throw new EndOfStreamException();
        }
    }
}
