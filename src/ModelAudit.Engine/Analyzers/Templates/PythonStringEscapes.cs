using System.Globalization;
using System.Text;

namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>
/// Decodes the body of a Jinja2 string literal as Jinja2 does: Python's <c>unicode-escape</c> codec
/// (<c>\x5f</c>, <c>\u005f</c>, <c>\137</c>, <c>\N{LOW LINE}</c>…). SSTI payloads spell dunders this way to slip past
/// text matching, so the walk must see the decoded name.
/// </summary>
internal static class PythonStringEscapes
{
    /// <summary>Decodes <paramref name="body"/>; <paramref name="escaped"/> says whether any escape was present.
    /// Throws <see cref="FormatException"/> where Python's codec would fail (a truncated <c>\x</c>).</summary>
    public static string Decode(string body, out bool escaped)
    {
        escaped = false;
        if (!body.Contains('\\'))
        {
            return body;
        }

        var sb = new StringBuilder(body.Length);
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c != '\\' || i + 1 == body.Length)
            {
                sb.Append(c);
                continue;
            }

            char e = body[++i];
            escaped = true;
            switch (e)
            {
                case '\n': break; // a backslash-newline continues the line
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case 'x': i = AppendHex(body, i, 2, sb); break;
                case 'u': i = AppendHex(body, i, 4, sb); break;
                case 'U': i = AppendHex(body, i, 8, sb); break;
                case 'N': i = AppendNamed(body, i, sb); break;
                case >= '0' and <= '7':
                    int end = i;
                    int value = 0;
                    while (end < body.Length && end < i + 3 && body[end] is >= '0' and <= '7')
                    {
                        value = (value * 8) + (body[end] - '0');
                        end++;
                    }

                    sb.Append((char)value);
                    i = end - 1;
                    break;
                default:
                    // Python keeps an unknown escape as written (with a DeprecationWarning).
                    sb.Append('\\').Append(e);
                    break;
            }
        }

        return sb.ToString();
    }

    private static int AppendHex(string body, int at, int digits, StringBuilder sb)
    {
        if (at + digits >= body.Length)
        {
            throw new FormatException("truncated escape sequence in a string literal");
        }

        string hex = body.Substring(at + 1, digits);
        if (!int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code)
            || hex.Any(ch => !Uri.IsHexDigit(ch)) || code > 0x10FFFF)
        {
            throw new FormatException("malformed escape sequence in a string literal");
        }

        sb.Append(char.ConvertFromUtf32(code is >= 0xD800 and <= 0xDFFF ? 0xFFFD : code));
        return at + digits;
    }

    // Names of the ASCII characters (all a dunder needs); any other \N{...} is kept unresolved, so a name spelled
    // with one is "built at render time", never a known-safe literal.
    private static int AppendNamed(string body, int at, StringBuilder sb)
    {
        int close = body.IndexOf('}', at);
        if (at + 1 >= body.Length || body[at + 1] != '{' || close < 0)
        {
            throw new FormatException("malformed \\N escape in a string literal");
        }

        string name = body.Substring(at + 2, close - at - 2).Trim().ToUpperInvariant();
        sb.Append(CharacterName(name) ?? "\uFFFD");
        return close;
    }

    private static string? CharacterName(string name)
    {
        const string small = "LATIN SMALL LETTER ";
        const string capital = "LATIN CAPITAL LETTER ";
        const string digit = "DIGIT ";
        if (name.StartsWith(small, StringComparison.Ordinal) && name.Length == small.Length + 1)
        {
            return char.ToLowerInvariant(name[^1]).ToString();
        }

        if (name.StartsWith(capital, StringComparison.Ordinal) && name.Length == capital.Length + 1)
        {
            return name[^1].ToString();
        }

        string[] digits = { "ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE" };
        if (name.StartsWith(digit, StringComparison.Ordinal) && Array.IndexOf(digits, name[digit.Length..]) is int d and >= 0)
        {
            return ((char)('0' + d)).ToString();
        }

        return name switch
        {
            "LOW LINE" => "_",
            "FULL STOP" => ".",
            "SPACE" => " ",
            "SOLIDUS" => "/",
            "LEFT SQUARE BRACKET" => "[",
            "RIGHT SQUARE BRACKET" => "]",
            _ => null,
        };
    }
}
