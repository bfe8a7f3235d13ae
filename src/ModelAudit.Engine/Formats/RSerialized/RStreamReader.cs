using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.RSerialized;

/// <summary>
/// Reads the integers, doubles, strings and raw bytes of an R serialization stream in any of its three encodings
/// (serialize.c's InInteger, InReal, InString, InBytes), front to back (<see cref="ForwardReader"/>), so a stream
/// that is decompressed on the fly (readRDS's gzip, bzip2, xz) is read once. Payloads are skipped or kept as a bounded prefix,
/// never read whole into memory.
/// </summary>
internal sealed class RStreamReader
{
    private readonly ForwardReader _input;
    private readonly CancellationToken _cancellationToken;

    public RStreamReader(Stream stream, CancellationToken cancellationToken)
    {
        _input = new ForwardReader(stream, cancellationToken);
        _cancellationToken = cancellationToken;
    }

    public RStreamEncoding Encoding { get; set; }

    /// <summary>Bytes read so far: the offset of the next item in the (decompressed) stream.</summary>
    public long Position => _input.Position;

    public byte Byte() => _input.Byte();

    public int Int()
    {
        if (Encoding == RStreamEncoding.Ascii)
        {
            string word = Word();
            return word == "NA" ? int.MinValue
                : int.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) ? value
                : throw new ModelFormatException($"'{Truncate(word)}' where the R stream has an integer", Position);
        }

        Span<byte> bytes = stackalloc byte[4];
        _input.Read(bytes);
        return Encoding == RStreamEncoding.Xdr ? BinaryPrimitives.ReadInt32BigEndian(bytes) : BinaryPrimitives.ReadInt32LittleEndian(bytes);
    }

    /// <summary>Skips <paramref name="count"/> numbers of <paramref name="size"/> bytes each (doubles, integers).</summary>
    public void SkipNumbers(long count, int size)
    {
        if (Encoding == RStreamEncoding.Ascii)
        {
            for (long i = 0; i < count; i++)
            {
                if ((i & 0xFFFF) == 0)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                }

                Word();
            }

            return;
        }

        _input.Skip(checked(count * size));
    }

    /// <summary>Skips a RAWSXP's bytes (two hex digits a word in ASCII streams).</summary>
    public void SkipRaw(long count)
    {
        if (Encoding == RStreamEncoding.Ascii)
        {
            SkipNumbers(count, 1);
            return;
        }

        _input.Skip(count);
    }

    /// <summary>Reads a string of <paramref name="length"/> bytes and returns at most its first
    /// <paramref name="keep"/> as text (UTF-8, as R writes every CHARSXP it marks UTF-8 or ASCII; Latin-1 bytes that
    /// are not UTF-8 come out replaced, which names here never are).</summary>
    public string String(int length, int keep)
    {
        if (length < 0)
        {
            throw new ModelFormatException($"a string of length {length} in the R stream", Position);
        }

        if (Encoding == RStreamEncoding.Ascii)
        {
            return AsciiString(length, keep);
        }

        return System.Text.Encoding.UTF8.GetString(_input.Bytes(length, keep));
    }

    // A whitespace-separated word of an ASCII stream (serialize.c's InWord); words are short, so a long one is bad data.
    private string Word()
    {
        byte c;
        do
        {
            c = Byte();
        }
        while (IsSpace(c));

        var word = new StringBuilder();
        while (!IsSpace(c))
        {
            if (word.Length >= 1024)
            {
                throw new ModelFormatException("a word of over 1,024 characters in an ASCII R stream", Position);
            }

            word.Append((char)c);
            c = Byte();
        }

        return word.ToString();
    }

    // InString for ASCII: after whitespace, `length` characters with C escapes (\n, \t, \\, \ooo octal …).
    private string AsciiString(int length, int keep)
    {
        // R writes an empty string as an empty line and reads nothing for it (InString skips whitespace only when
        // length > 0): skipping here would eat the next word.
        if (length == 0)
        {
            return "";
        }

        byte c;
        do
        {
            c = Byte();
        }
        while (IsSpace(c));

        var bytes = new List<byte>(Math.Min(length, keep));
        for (int i = 0; i < length; i++)
        {
            if (i > 0)
            {
                c = Byte();
            }

            if (c == '\\')
            {
                c = Byte();
                c = c switch
                {
                    (byte)'n' => (byte)'\n', (byte)'t' => (byte)'\t', (byte)'v' => 0x0B, (byte)'b' => 0x08, (byte)'r' => (byte)'\r',
                    (byte)'f' => 0x0C, (byte)'a' => 0x07, (byte)'0' or (byte)'1' or (byte)'2' or (byte)'3' or (byte)'4' or (byte)'5' or (byte)'6' or (byte)'7' => Octal(c),
                    _ => c, // \\, \?, \', \"
                };
            }

            if (bytes.Count < keep)
            {
                bytes.Add(c);
            }
        }

        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }

    // Up to three octal digits, the first already read.
    private byte Octal(byte first)
    {
        int value = first - '0';
        for (int i = 0; i < 2 && _input.Peek() is >= (byte)'0' and <= (byte)'7'; i++)
        {
            value = (value * 8) + (Byte() - '0');
        }

        return (byte)value;
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\n' or (byte)'\t' or (byte)'\r' or 0x0B or 0x0C;

    private static string Truncate(string word) => word.Length > 40 ? word[..40] + "…" : word;
}
