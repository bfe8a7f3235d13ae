using System.Globalization;
using System.Numerics;
using System.Text;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>Decoding of protocol-0 text arguments, accepting whatever either of CPython's unpicklers accepts.</summary>
internal sealed partial class PickleMachine
{
    private static readonly Encoding s_utf8 = new UTF8Encoding(false, false);
    private static readonly Encoding s_strictUtf8 = new UTF8Encoding(false, true);

    private static string DecodeUtf8(byte[] data) => s_utf8.GetString(data);

    private static string DecodeLatin1(byte[] data) => Encoding.Latin1.GetString(data);

    private PickleLine ReadLine(int keep) => _reader.ReadLine(keep, _cancellationToken);

    // GLOBAL/INST names: an import must be known exactly, so a name longer than any real one is a limit, not a guess.
    private string ReadName(long offset)
    {
        PickleLine line = ReadLine(MaxNameLine);
        if (line.IsTruncated)
        {
            throw new ScanLimitExceededException("MaxPickleNameLength", $"an import name of {line.Length:N0} bytes", offset);
        }

        // Both unpicklers decode GLOBAL/INST names as strict UTF-8: a name that is not fails the load right there.
        try
        {
            return s_strictUtf8.GetString(line.Kept);
        }
        catch (DecoderFallbackException)
        {
            throw new PickleRejectedException("an import name that is not UTF-8", offset);
        }
    }

    // A STACK_GLOBAL operand that is certainly not a str: CPython raises "STACK_GLOBAL requires str".
    private static bool IsNonString(PValue value) =>
        value.Kind is PValueKind.None or PValueKind.Bool or PValueKind.Int or PValueKind.Float or PValueKind.Bytes
            or PValueKind.Tuple or PValueKind.List or PValueKind.Dict or PValueKind.Set or PValueKind.Buffer;

    private static BigInteger ParseMemoKey(PickleLine line, long offset)
    {
        string text = DecodeLatin1(line.Kept);
        return !line.IsTruncated && PythonLiterals.TryParseInt(text, 10, out BigInteger key)
            ? key
            : throw new PickleRejectedException($"bad memo key '{Truncate(text)}'", offset);
    }

    // INT: _pickle.c tries strtol(base 0) on the whole line first (leading whitespace, 0x, a leading 0 for octal;
    // "I00"/"I01" and any 3-byte line holding 0 or 1 are booleans), then Python's int(line, 0), which is also what the
    // pure-Python unpickler uses (with only "00"/"01" as booleans).
    private static PValue ParseIntLine(PickleLine line, long offset)
    {
        string text = DecodeLatin1(line.Kept);
        if (line.IsTruncated)
        {
            return PValue.BigInt(text + "…");
        }

        if (PythonLiterals.TryStrtol(text, out long strtol))
        {
            return line.Length == 2 && strtol is 0 or 1 ? (strtol == 1 ? PValue.True : PValue.False) : PValue.Int(strtol);
        }

        return ParseInteger(text, offset);
    }

    // LONG: one trailing 'L' (Python 2's long suffix) is dropped, then Python's int(text, 0).
    private static PValue ParseLongLine(PickleLine line, long offset)
    {
        string text = DecodeLatin1(line.Kept);
        if (line.IsTruncated)
        {
            return PValue.BigInt(text + "…");
        }

        return ParseInteger(text.EndsWith('L') ? text[..^1] : text, offset);
    }

    private static PValue ParseInteger(string text, long offset)
    {
        if (!PythonLiterals.TryParseInt(text, 0, out BigInteger value))
        {
            throw new PickleRejectedException($"bad integer '{Truncate(text)}'", offset);
        }

        return value >= long.MinValue && value <= long.MaxValue ? PValue.Int((long)value) : PValue.BigInt(value.ToString(CultureInfo.InvariantCulture));
    }

    private static double ParseFloat(PickleLine line, long offset)
    {
        string text = DecodeLatin1(line.Kept);
        if (line.IsTruncated)
        {
            return double.NaN; // a float line longer than any real one: its value does not matter to the analysis
        }

        return PythonLiterals.TryParseFloat(text, out double value) ? value : throw new PickleRejectedException($"bad float '{Truncate(text)}'", offset);
    }

    // STRING (a Python 2 str repr in quotes, escapes decoded) and UNICODE (raw-unicode-escape). Long ones keep a
    // prefix, like large binary arguments, so memory does not grow with the argument.
    private void PushTextArgument(PickleLine line, bool quoted, long offset)
    {
        if (line.IsTruncated)
        {
            if (quoted && (line.Kept.Length == 0 || line.Kept[0] is not ((byte)'\'' or (byte)'"') || line.Last != line.Kept[0]))
            {
                throw new PickleRejectedException("the STRING opcode argument must be quoted", offset);
            }

            var partial = PValue.PartialStr(quoted ? DecodeQuotedString(line.Kept, 1, line.Kept.Length) : DecodeRawUnicodeEscape(line.Kept), line.Length, offset + 1);
            _handler.OnLargePayload(partial);
            Push(partial, offset);
            return;
        }

        string text = quoted ? DecodeQuotedString(line.Kept, offset) : DecodeRawUnicodeEscape(line.Kept);
        PushConstant(PValue.Str(text, offset + 1), offset);
    }

    // STRING: quoted with ' or ", backslash escapes decoded to bytes (kept as Latin-1 characters). Trailing spaces and
    // '\r' are tolerated (CPython 3.11 rejects them; older versions did not).
    private static string DecodeQuotedString(byte[] line, long offset)
    {
        int end = line.Length;
        while (end > 0 && line[end - 1] is (byte)'\r' or (byte)' ')
        {
            end--;
        }

        if (end < 2 || line[0] != line[end - 1] || line[0] is not ((byte)'\'' or (byte)'"'))
        {
            throw new PickleRejectedException("the STRING opcode argument must be quoted", offset);
        }

        return DecodeQuotedString(line, 1, end - 1);
    }

    private static string DecodeQuotedString(byte[] line, int start, int end)
    {
        var sb = new StringBuilder(end - start);
        for (int i = start; i < end; i++)
        {
            char c = (char)line[i];
            if (c != '\\' || i + 1 >= end)
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
                case 'x' when i + 2 < end && IsHex(line[i + 1]) && IsHex(line[i + 2]):
                    sb.Append((char)Convert.ToByte(Encoding.ASCII.GetString(line, i + 1, 2), 16));
                    i += 2;
                    break;
                case >= '0' and <= '7':
                {
                    int value = e - '0';
                    for (int k = 0; k < 2 && i + 1 < end && line[i + 1] is >= (byte)'0' and <= (byte)'7'; k++)
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
