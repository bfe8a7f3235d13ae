using System.Numerics;

namespace ModelAudit.Engine.Formats.Joblib;

/// <summary>
/// The head of a legacy joblib Z-file as joblib's read_zfile reads it: 'ZF', a 19-byte field that
/// <c>int(field, 16)</c> must accept (joblib writes <c>'0x…'</c> padded with spaces), then the zlib stream, after one
/// more space when Python 2 joblib ≤ 0.8.4 wrote a field one character wider.
/// </summary>
internal sealed record ZfileHeader(BigInteger DeclaredLength, int DataOffset)
{
    /// <summary>'ZF' plus joblib's _MAX_LEN, the width of hex(2 ** 64) ('0x' and 17 digits).</summary>
    public const int FieldEnd = 2 + 19;

    /// <summary>Reads the header from the first bytes of a file, or null when joblib would not get past it
    /// (no 'ZF', or a length field int(…, 16) rejects).</summary>
    public static ZfileHeader? Parse(ReadOnlySpan<byte> head)
    {
        if (head.Length < 2 || head[0] != (byte)'Z' || head[1] != (byte)'F')
        {
            return null;
        }

        ReadOnlySpan<byte> field = head[2..Math.Min(head.Length, FieldEnd)];
        if (ParseHexInt(field) is not { } length)
        {
            return null;
        }

        // read_zfile reads one byte more and goes back unless it is a space (a zlib stream never starts with one).
        int dataOffset = head.Length > FieldEnd && head[FieldEnd] == (byte)' ' ? FieldEnd + 1 : FieldEnd;
        return new ZfileHeader(length, dataOffset);
    }

    /// <summary>Python's <c>int(bytes, 16)</c>: surrounding ASCII whitespace, an optional sign, an optional 0x prefix,
    /// hex digits with single underscores between them (and after the prefix).</summary>
    private static BigInteger? ParseHexInt(ReadOnlySpan<byte> text)
    {
        text = Trim(text);
        bool negative = false;
        if (text.Length > 0 && text[0] is (byte)'+' or (byte)'-')
        {
            negative = text[0] == (byte)'-';
            text = text[1..];
        }

        bool prefixed = text.Length >= 2 && text[0] == (byte)'0' && text[1] is (byte)'x' or (byte)'X';
        if (prefixed)
        {
            text = text[2..];
        }

        BigInteger value = BigInteger.Zero;
        int digits = 0;
        bool underscoreAllowed = prefixed;
        for (int i = 0; i < text.Length; i++)
        {
            byte c = text[i];
            if (c == (byte)'_')
            {
                if (!underscoreAllowed || i == text.Length - 1)
                {
                    return null;
                }

                underscoreAllowed = false;
                continue;
            }

            int digit = HexDigit(c);
            if (digit < 0)
            {
                return null;
            }

            value = value * 16 + digit;
            digits++;
            underscoreAllowed = true;
        }

        if (digits == 0)
        {
            return null;
        }

        return negative ? -value : value;
    }

    private static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> text)
    {
        static bool Space(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;
        int start = 0;
        int end = text.Length;
        while (start < end && Space(text[start]))
        {
            start++;
        }

        while (end > start && Space(text[end - 1]))
        {
            end--;
        }

        return text[start..end];
    }
}
