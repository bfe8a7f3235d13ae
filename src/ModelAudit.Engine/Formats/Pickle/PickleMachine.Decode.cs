using System.Globalization;
using System.Text;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>Decoding of protocol-0 text arguments, following CPython's rules.</summary>
internal sealed partial class PickleMachine
{
    private static readonly Encoding s_utf8 = new UTF8Encoding(false, false);

    private static string DecodeUtf8(byte[] data) => s_utf8.GetString(data);

    private static string DecodeLatin1(byte[] data) => Encoding.Latin1.GetString(data);

    private static long ParseDecimal(byte[] line, long offset)
    {
        string text = DecodeLatin1(line).Trim();
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && value >= 0
            ? value
            : throw new ModelFormatException($"bad memo key '{Truncate(text)}'", offset);
    }

    private static PValue ParseIntLine(byte[] line, long offset)
    {
        string text = DecodeLatin1(line).Trim();
        if (text == "00")
        {
            return PValue.False;
        }

        if (text == "01")
        {
            return PValue.True;
        }

        return ParseInteger(text.TrimEnd('L'), offset);
    }

    private static PValue ParseLongLine(byte[] line, long offset) => ParseInteger(DecodeLatin1(line).Trim().TrimEnd('L'), offset);

    private static PValue ParseInteger(string text, long offset)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            return PValue.Int(value);
        }

        if (text.Length > 0 && text.TrimStart('-', '+').All(char.IsAsciiDigit))
        {
            return PValue.BigInt(text);
        }

        throw new ModelFormatException($"bad integer '{Truncate(text)}'", offset);
    }

    private static double ParseFloat(byte[] line, long offset)
    {
        string text = DecodeLatin1(line).Trim();
        return text switch
        {
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            "nan" => double.NaN,
            _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                ? value
                : throw new ModelFormatException($"bad float '{Truncate(text)}'", offset),
        };
    }

    // STRING: a Python 2 str repr — quoted with ' or ", backslash escapes decoded to bytes.
    private static string DecodeQuotedString(byte[] line, long offset)
    {
        int end = line.Length;
        while (end > 0 && line[end - 1] is (byte)'\r' or (byte)' ')
        {
            end--;
        }

        if (end < 2 || line[0] != line[end - 1] || line[0] is not ((byte)'\'' or (byte)'"'))
        {
            throw new ModelFormatException("the STRING opcode argument must be quoted", offset);
        }

        var sb = new StringBuilder(end);
        for (int i = 1; i < end - 1; i++)
        {
            char c = (char)line[i];
            if (c != '\\' || i + 1 >= end - 1)
            {
                sb.Append(c);
                continue;
            }

            char e = (char)line[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case '\n': break;
                case 'x' when i + 2 < end - 1 && IsHex(line[i + 1]) && IsHex(line[i + 2]):
                    sb.Append((char)Convert.ToByte(Encoding.ASCII.GetString(line, i + 1, 2), 16));
                    i += 2;
                    break;
                case >= '0' and <= '7':
                {
                    int value = e - '0';
                    for (int k = 0; k < 2 && i + 1 < end - 1 && line[i + 1] is >= (byte)'0' and <= (byte)'7'; k++)
                    {
                        value = value * 8 + (line[++i] - '0');
                    }

                    sb.Append((char)(value & 0xFF));
                    break;
                }

                default:
                    sb.Append('\\').Append(e);
                    break;
            }
        }

        return sb.ToString();
    }

    // UNICODE: raw-unicode-escape — only \uXXXX and \UXXXXXXXX are escapes; other bytes are Latin-1.
    private static string DecodeRawUnicodeEscape(byte[] line)
    {
        var sb = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == (byte)'\\' && i + 1 < line.Length && line[i + 1] is (byte)'u' or (byte)'U')
            {
                int digits = line[i + 1] == (byte)'u' ? 4 : 8;
                if (i + 2 + digits <= line.Length && line.AsSpan(i + 2, digits).ToArray().All(IsHex))
                {
                    int code = int.Parse(Encoding.ASCII.GetString(line, i + 2, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    sb.Append(code is >= 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF) ? char.ConvertFromUtf32(code) : "\uFFFD");
                    i += 1 + digits;
                    continue;
                }
            }

            sb.Append((char)line[i]);
        }

        return sb.ToString();
    }

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static string Truncate(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
