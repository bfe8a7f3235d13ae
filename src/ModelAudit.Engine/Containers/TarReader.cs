using System.Text;
using ModelAudit.Engine.IO;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// A forward-only tar reader (v7, ustar, GNU long names, pax): headers are parsed here, member data is handed out
/// as a bounded window of the stream and skipped when not consumed. Never seeks backwards, never buffers a member.
/// </summary>
internal sealed class TarReader
{
    private const int Block = 512;
    private readonly Stream _stream;
    private long _pendingSkip;
    private long _position;

    public TarReader(Stream stream) => _stream = stream;

    /// <summary>The next entry, or null at the end of the archive. Skips what the previous entry's reader left unread.</summary>
    public TarEntryHeader? Next(CancellationToken cancellationToken)
    {
        string? longName = null;
        string? longLink = null;
        Dictionary<string, string>? pax = null;
        while (true)
        {
            Advance(_pendingSkip, cancellationToken);
            _pendingSkip = 0;
            byte[] header = new byte[Block];
            int read = _stream.ReadAtMost(header);
            _position += read;
            if (read == 0 || header.All(b => b == 0))
            {
                return null;
            }

            if (read < Block)
            {
                throw new ModelFormatException("tar header truncated", _position - read);
            }

            if (!TarHeaderChecksum.IsValid(header))
            {
                throw new ModelFormatException("tar header checksum does not match", _position - Block);
            }

            char type = (char)header[156];
            long size = ParseSize(header.AsSpan(124, 12), _position - Block);
            long padded = (size + Block - 1) / Block * Block;
            switch (type)
            {
                case 'L':
                    longName = ReadText(size, padded, cancellationToken);
                    continue;
                case 'K':
                    longLink = ReadText(size, padded, cancellationToken);
                    continue;
                case 'x':
                    pax = ParsePax(ReadText(size, padded, cancellationToken));
                    continue;
                case 'g':
                    Advance(padded, cancellationToken);
                    continue;
            }

            if (type == 'S' && header[482] != 0)
            {
                SkipSparseExtensions(cancellationToken);
            }

            string name = longName ?? Field(header, 0, 100);
            string prefix = Encoding.UTF8.GetString(header, 257, 6).StartsWith("ustar", StringComparison.Ordinal) ? Field(header, 345, 155) : "";
            if (longName is null && prefix.Length > 0)
            {
                name = prefix + "/" + name;
            }

            if (pax is not null)
            {
                name = pax.GetValueOrDefault("path", name);
                longLink = pax.GetValueOrDefault("linkpath", longLink ?? "");
                if (pax.TryGetValue("size", out string? paxSize) && long.TryParse(paxSize, out long s))
                {
                    size = s;
                    padded = (size + Block - 1) / Block * Block;
                }
            }

            string link = longLink ?? Field(header, 157, 100);
            _pendingSkip = padded;
            return new TarEntryHeader(name, type, size, type is '1' or '2' ? link : null, _position);
        }
    }

    /// <summary>A stream over the current entry's data; what it leaves unread is skipped by <see cref="Next"/>.</summary>
    public Stream OpenData(TarEntryHeader entry)
    {
        return new TarDataStream(_stream, entry.Size, read =>
        {
            _position += read;
            _pendingSkip -= read;
        });
    }

    // GNU sparse headers continue their segment map in extra 512-byte blocks while byte 504 is set.
    private void SkipSparseExtensions(CancellationToken cancellationToken)
    {
        byte[] block = new byte[Block];
        for (int i = 0; i < 4096; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_stream.ReadAtMost(block) < Block)
            {
                throw new EndOfStreamException();
            }

            _position += Block;
            if (block[504] == 0)
            {
                return;
            }
        }

        throw new ModelFormatException("GNU sparse map longer than 4096 blocks", _position);
    }

    private void Advance(long count, CancellationToken cancellationToken)
    {
        if (count > 0)
        {
            long skipped = _stream.Skip(count, cancellationToken);
            _position += skipped;
            if (skipped < count)
            {
                throw new EndOfStreamException();
            }
        }
    }

    private string ReadText(long size, long padded, CancellationToken cancellationToken)
    {
        if (size > 1 << 20)
        {
            throw new ModelFormatException("tar extended header larger than 1 MiB", _position);
        }

        byte[] data = new byte[size];
        if (_stream.ReadAtMost(data) < size)
        {
            throw new EndOfStreamException();
        }

        _position += size;
        Advance(padded - size, cancellationToken);
        return Encoding.UTF8.GetString(data).TrimEnd('\0');
    }

    private static Dictionary<string, string> ParsePax(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string record in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int space = record.IndexOf(' ');
            int equals = record.IndexOf('=');
            if (space > 0 && equals > space)
            {
                values[record[(space + 1)..equals]] = record[(equals + 1)..];
            }
        }

        return values;
    }

    private static string Field(byte[] header, int offset, int length)
    {
        int end = Array.IndexOf(header, (byte)0, offset, length);
        return Encoding.UTF8.GetString(header, offset, (end < 0 ? offset + length : end) - offset);
    }

    // Octal, or GNU base-256 when the high bit of the first byte is set.
    private static long ParseSize(ReadOnlySpan<byte> field, long offset)
    {
        if ((field[0] & 0x80) != 0)
        {
            long value = field[0] & 0x7F;
            for (int i = 1; i < field.Length; i++)
            {
                value = checked((value << 8) | field[i]);
            }

            return value;
        }

        long octal = 0;
        foreach (byte b in field)
        {
            if (b is 0 or (byte)' ')
            {
                if (octal > 0)
                {
                    break;
                }

                continue;
            }

            if (b is < (byte)'0' or > (byte)'7')
            {
                throw new ModelFormatException("tar size field is not octal", offset + 124);
            }

            octal = checked(octal * 8 + (b - '0'));
        }

        return octal;
    }
}
