using System.Globalization;
using System.Numerics;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// The number syntaxes CPython's unpicklers accept in protocol-0 arguments, so the VM rejects exactly what at least
/// one of them rejects: Python's <c>int(s, base)</c> (leading/trailing whitespace, sign, 0x/0o/0b prefixes,
/// underscores between digits), C's <c>strtol(s, &amp;end, 0)</c> that <c>_pickle.c</c> tries first for INT (leading
/// whitespace, octal with a leading 0, no trailing characters), and Python's <c>float()</c>.
/// </summary>
internal static class PythonLiterals
{
    /// <summary>Python <c>int(text, base)</c> for base 0 or 10; false where Python raises ValueError.</summary>
    public static bool TryParseInt(string text, int radix, out BigInteger value)
    {
        value = BigInteger.Zero;
        string s = text.Trim(' ', '\t', '\n', '\r', '\v', '\f');
        int i = 0;
        bool negative = false;
        if (i < s.Length && s[i] is '+' or '-')
        {
            negative = s[i] == '-';
            i++;
        }

        int @base = radix;
        bool zeroOnly = false;
        if (radix == 0)
        {
            if (i < s.Length && s[i] == '0' && i + 1 < s.Length && char.ToLowerInvariant(s[i + 1]) is 'x' or 'o' or 'b')
            {
                @base = char.ToLowerInvariant(s[i + 1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
                i += 2;
                if (i < s.Length && s[i] == '_')
                {
                    i++; // one underscore may follow the prefix
                }
            }
            else
            {
                @base = 10;
                zeroOnly = i < s.Length && s[i] == '0'; // "010" is an old octal literal: only zeros are valid
            }
        }

        if (i >= s.Length || s[i] == '_')
        {
            return false;
        }

        BigInteger result = BigInteger.Zero;
        bool previousUnderscore = false;
        int digits = 0;
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '_')
            {
                if (previousUnderscore)
                {
                    return false;
                }

                previousUnderscore = true;
                continue;
            }

            int digit = DigitValue(c);
            if (digit < 0 || digit >= @base)
            {
                return false;
            }

            // Python 3.11 caps decimal conversions at 4,300 digits; older ones do not. Accept, keep a bounded value.
            if (digits < 4096)
            {
                result = result * @base + digit;
            }

            digits++;
            previousUnderscore = false;
        }

        if (previousUnderscore || digits == 0 || (zeroOnly && !result.IsZero))
        {
            return false;
        }

        value = negative ? -result : result;
        return true;
    }

    /// <summary>C <c>strtol(line, &amp;end, 0)</c> with the whole line consumed up to its newline, as _pickle.c's INT
    /// first tries; false when it stops early or overflows (the unpickler then falls back to Python's rules).</summary>
    public static bool TryStrtol(string line, out long value)
    {
        value = 0;
        int i = 0;
        while (i < line.Length && line[i] is ' ' or '\t' or '\n' or '\r' or '\v' or '\f')
        {
            i++;
        }

        bool negative = false;
        if (i < line.Length && line[i] is '+' or '-')
        {
            negative = line[i] == '-';
            i++;
        }

        int @base = 10;
        if (i + 1 < line.Length && line[i] == '0' && line[i + 1] is 'x' or 'X' && i + 2 < line.Length && DigitValue(line[i + 2]) is >= 0 and < 16)
        {
            @base = 16;
            i += 2;
        }
        else if (i < line.Length && line[i] == '0')
        {
            @base = 8;
        }

        int start = i;
        BigInteger result = BigInteger.Zero;
        for (; i < line.Length && DigitValue(line[i]) is var d && d >= 0 && d < @base; i++)
        {
            result = result * @base + d;
            if (result > (BigInteger)long.MaxValue + 1)
            {
                return false; // ERANGE
            }
        }

        if (i == start || i != line.Length)
        {
            return false;
        }

        result = negative ? -result : result;
        if (result > long.MaxValue || result < long.MinValue)
        {
            return false;
        }

        value = (long)result;
        return true;
    }

    /// <summary>Python <c>float(text)</c>: whitespace, sign, digits with underscores, exponent, inf/infinity/nan.
    /// _pickle.c's own parser accepts a subset of this (no whitespace, no underscores, no overflow to inf).</summary>
    public static bool TryParseFloat(string text, out double value)
    {
        value = double.NaN;
        string s = text.Trim(' ', '\t', '\n', '\r', '\v', '\f');
        string body = s.Length > 0 && s[0] is '+' or '-' ? s[1..] : s;
        switch (body.ToLowerInvariant())
        {
            case "inf" or "infinity":
                value = s[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            case "nan":
                return true;
        }

        var cleaned = new System.Text.StringBuilder(s.Length);
        bool sawDigit = false, sawDot = false, sawExponent = false, digitsAfterExponent = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '_')
            {
                // Only between two digits.
                if (i == 0 || i + 1 >= s.Length || !char.IsAsciiDigit(s[i - 1]) || !char.IsAsciiDigit(s[i + 1]))
                {
                    return false;
                }

                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                sawDigit = true;
                digitsAfterExponent |= sawExponent;
            }
            else if (c == '.' && !sawDot && !sawExponent)
            {
                sawDot = true;
            }
            else if (c is 'e' or 'E' && sawDigit && !sawExponent)
            {
                sawExponent = true;
            }
            else if (c is '+' or '-' && (i == 0 || s[i - 1] is 'e' or 'E'))
            {
            }
            else
            {
                return false;
            }

            cleaned.Append(c);
        }

        if (!sawDigit || (sawExponent && !digitsAfterExponent))
        {
            return false;
        }

        // Overflow gives ±inf, as Python's float() does.
        return double.TryParse(cleaned.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'z' => c - 'a' + 10,
        >= 'A' and <= 'Z' => c - 'A' + 10,
        _ => -1,
    };
}
