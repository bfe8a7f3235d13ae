using System.Globalization;
using System.Numerics;
using System.Text;
using ModelAudit.Engine.Formats.Pickle;

namespace ModelAudit.Engine.Formats.NumPy;

/// <summary>
/// A bounded parser of the Python literal syntax that <c>ast.literal_eval</c> accepts — what numpy uses to read a
/// .npy header: dicts (repeated keys: the last wins), lists, tuples, sets, str and bytes literals with every prefix,
/// quote style, escape and implicit concatenation, ints in every base with underscores, floats, complex numbers,
/// True/False/None/Ellipsis and comments. Input that literal_eval rejects is a <see cref="ModelFormatException"/>.
/// </summary>
internal sealed class PythonLiteralParser
{
    // literal_eval runs the compiler, whose nesting limit is about 200; a header needs depth 4.
    private const int MaxDepth = 100;

    private readonly string _s;
    private readonly bool _longSuffix;
    private int _i;

    private PythonLiteralParser(string text, bool longSuffix)
    {
        _s = text;
        _longSuffix = longSuffix;
    }

    /// <summary>Parses one literal that makes up the whole text (leading spaces and tabs and a trailing newline, as
    /// literal_eval allows). <paramref name="longSuffix"/> accepts Python 2's 3L, which numpy strips from v1/v2 headers.</summary>
    public static PyLiteral Parse(string text, bool longSuffix = false)
    {
        var parser = new PythonLiteralParser(text, longSuffix);
        PyLiteral value = parser.Value(0);
        parser.SkipSpace(insideBrackets: false);
        if (parser._i != text.Length)
        {
            throw parser.Error("unexpected text after the literal");
        }

        return value;
    }

    private PyLiteral Value(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error($"literal nested more than {MaxDepth} deep");
        }

        SkipSpace(depth > 0);
        if (_i >= _s.Length)
        {
            throw Error("the literal ends early");
        }

        char c = _s[_i];
        switch (c)
        {
            case '{':
                return DictOrSet(depth);
            case '[':
                _i++;
                return PyLiteral.Sequence(PyLiteralKind.List, Items(']', depth, out _));
            case '(':
                _i++;
                List<PyLiteral> items = Items(')', depth, out bool trailingComma);
                return items.Count == 1 && !trailingComma ? items[0] : PyLiteral.Sequence(PyLiteralKind.Tuple, items);
            case '+' or '-':
                return Signed(depth);
        }

        if (c == '.' && _i + 2 < _s.Length && _s[_i + 1] == '.' && _s[_i + 2] == '.')
        {
            _i += 3;
            return PyLiteral.Scalar(PyLiteralKind.Ellipsis);
        }

        if (char.IsAsciiDigit(c) || (c == '.' && _i + 1 < _s.Length && char.IsAsciiDigit(_s[_i + 1])))
        {
            return Number(depth);
        }

        if (c is '\'' or '"' || (char.IsAsciiLetter(c) && StringPrefixLength() is > 0))
        {
            return Strings(depth);
        }

        string word = Word();
        return word switch
        {
            "True" => PyLiteral.Bool(true),
            "False" => PyLiteral.Bool(false),
            "None" => PyLiteral.Scalar(PyLiteralKind.None),
            _ => throw Error(word.Length == 0 ? $"unexpected '{c}'" : $"'{word}' is not a literal"),
        };
    }

    private PyLiteral DictOrSet(int depth)
    {
        _i++;
        SkipSpace(true);
        if (Peek('}'))
        {
            _i++;
            return PyLiteral.Dict(Array.Empty<KeyValuePair<PyLiteral, PyLiteral>>());
        }

        PyLiteral first = Value(depth + 1);
        SkipSpace(true);
        if (!Peek(':'))
        {
            var set = new List<PyLiteral> { first };
            if (Peek(','))
            {
                _i++;
                set.AddRange(Items('}', depth, out _));
            }
            else
            {
                Expect('}');
            }

            return PyLiteral.Sequence(PyLiteralKind.Set, set);
        }

        var entries = new List<KeyValuePair<PyLiteral, PyLiteral>>();
        PyLiteral key = first;
        while (true)
        {
            Expect(':');
            entries.Add(new(key, Value(depth + 1)));
            SkipSpace(true);
            if (Peek('}'))
            {
                _i++;
                return PyLiteral.Dict(entries);
            }

            Expect(',');
            SkipSpace(true);
            if (Peek('}'))
            {
                _i++;
                return PyLiteral.Dict(entries);
            }

            key = Value(depth + 1);
            SkipSpace(true);
        }
    }

    private List<PyLiteral> Items(char close, int depth, out bool trailingComma)
    {
        var items = new List<PyLiteral>();
        trailingComma = false;
        SkipSpace(true);
        while (!Peek(close))
        {
            items.Add(Value(depth + 1));
            SkipSpace(true);
            trailingComma = false;
            if (Peek(','))
            {
                _i++;
                trailingComma = true;
                SkipSpace(true);
                continue;
            }

            if (!Peek(close))
            {
                throw Error($"expected ',' or '{close}'");
            }
        }

        _i++;
        if (close == ')' && items.Count == 0)
        {
            trailingComma = true; // () is the empty tuple
        }

        return items;
    }

    // literal_eval accepts unary + and - on numbers, and a real plus or minus an imaginary number.
    private PyLiteral Signed(int depth)
    {
        bool negative = false;
        while (_i < _s.Length && _s[_i] is '+' or '-')
        {
            negative ^= _s[_i] == '-';
            _i++;
            SkipSpace(depth > 0);
        }

        if (_i >= _s.Length || !(char.IsAsciiDigit(_s[_i]) || _s[_i] == '.'))
        {
            throw Error("a sign must be followed by a number");
        }

        PyLiteral number = Number(depth);
        return number.Kind == PyLiteralKind.Int ? PyLiteral.Int(negative ? -number.Integer : number.Integer) : number;
    }

    private PyLiteral Number(int depth)
    {
        int start = _i;
        while (_i < _s.Length && (char.IsAsciiLetterOrDigit(_s[_i]) || _s[_i] is '_' or '.'
            || (_s[_i] is '+' or '-' && _i > start && _s[_i - 1] is 'e' or 'E' && !IsPrefixedInteger(start))))
        {
            _i++;
        }

        string token = _s[start.._i];
        PyLiteral value;
        if (token.EndsWith('j') || token.EndsWith('J'))
        {
            value = PythonLiterals.TryParseFloat(token[..^1], out _) ? PyLiteral.Scalar(PyLiteralKind.Complex) : throw Error($"bad number '{token}'");
        }
        else if (_longSuffix && token.Length > 1 && token[^1] is 'L' or 'l' && IntegerToken(token[..^1]) is { } old)
        {
            value = PyLiteral.Int(old);
        }
        else if (IntegerToken(token) is { } integer)
        {
            value = PyLiteral.Int(integer);
        }
        else if (!IsPrefixedInteger(start) && token.AsSpan().IndexOfAny(".eE") >= 0 && PythonLiterals.TryParseFloat(token, out _))
        {
            value = PyLiteral.Scalar(PyLiteralKind.Float);
        }
        else
        {
            throw Error($"bad number '{token}'");
        }

        // 1+2j: a real and an imaginary part joined by a binary operator.
        int save = _i;
        SkipSpace(depth > 0);
        if (_i < _s.Length && _s[_i] is '+' or '-' && value.Kind is not PyLiteralKind.Complex)
        {
            int op = _i;
            _i++;
            SkipSpace(depth > 0);
            int imaginaryStart = _i;
            while (_i < _s.Length && (char.IsAsciiLetterOrDigit(_s[_i]) || _s[_i] is '_' or '.'))
            {
                _i++;
            }

            string imaginary = _s[imaginaryStart.._i];
            if (imaginary.Length > 1 && imaginary[^1] is 'j' or 'J' && PythonLiterals.TryParseFloat(imaginary[..^1], out _))
            {
                return PyLiteral.Scalar(PyLiteralKind.Complex);
            }

            _i = op;
            throw Error("only an imaginary number may be added to a number");
        }

        _i = save;
        return value;
    }

    private bool IsPrefixedInteger(int start) =>
        start + 1 < _s.Length && _s[start] == '0' && _s[start + 1] is 'x' or 'X' or 'o' or 'O' or 'b' or 'B';

    // Python's tokenizer: decimal without leading zeros (except 0, 00…), or 0x/0o/0b, underscores between digits.
    private static BigInteger? IntegerToken(string token)
    {
        if (token.Length == 0 || !char.IsAsciiDigit(token[0]) || token.Contains('.') || token.Contains(' '))
        {
            return null;
        }

        bool prefixed = token.Length > 1 && token[0] == '0' && char.ToLowerInvariant(token[1]) is 'x' or 'o' or 'b';
        if (!prefixed && token.Any(c => c is 'e' or 'E'))
        {
            return null;
        }

        return PythonLiterals.TryParseInt(token, 0, out BigInteger value) ? value : null;
    }

    private PyLiteral Strings(int depth)
    {
        var text = new StringBuilder();
        bool? bytes = null;
        int parts = 0;
        bool plain = true;
        while (true)
        {
            int prefixLength = StringPrefixLength() ?? 0;
            if (_i + prefixLength >= _s.Length || _s[_i + prefixLength] is not ('\'' or '"'))
            {
                break;
            }

            string prefix = _s.Substring(_i, prefixLength).ToLowerInvariant();
            _i += prefixLength;
            bool isBytes = prefix.Contains('b');
            if (bytes is { } b && b != isBytes)
            {
                throw Error("cannot mix bytes and str literals");
            }

            bytes = isBytes;
            plain &= prefix.Length == 0 && parts == 0;
            plain &= StringBody(text, raw: prefix.Contains('r'), isBytes);
            parts++;
            int save = _i;
            SkipSpace(depth > 0);
            if (_i >= _s.Length || !(_s[_i] is '\'' or '"' || (char.IsAsciiLetter(_s[_i]) && StringPrefixLength() is > 0)))
            {
                _i = save;
                break;
            }
        }

        plain &= parts == 1;
        return bytes == true ? PyLiteral.ByteString(text.ToString(), plain) : PyLiteral.String(text.ToString(), plain);
    }

    /// <summary>Length of a valid string prefix (r, u, b, br, rb in any case) followed by a quote, else null.</summary>
    private int? StringPrefixLength()
    {
        int n = 0;
        while (_i + n < _s.Length && n < 3 && char.IsAsciiLetter(_s[_i + n]))
        {
            n++;
        }

        if (_i + n >= _s.Length || _s[_i + n] is not ('\'' or '"'))
        {
            return n == 0 ? 0 : null;
        }

        string prefix = _s.Substring(_i, n).ToLowerInvariant();
        return prefix is "" or "r" or "u" or "b" or "br" or "rb" ? n : null;
    }

    // One quoted literal (the opening quote at _i); returns false when an escape was used.
    private bool StringBody(StringBuilder text, bool raw, bool isBytes)
    {
        char quote = _s[_i];
        bool triple = _i + 2 < _s.Length && _s[_i + 1] == quote && _s[_i + 2] == quote;
        _i += triple ? 3 : 1;
        bool plain = true;
        while (true)
        {
            if (_i >= _s.Length)
            {
                throw Error("unterminated string");
            }

            char c = _s[_i];
            if (c == quote && (!triple || (_i + 2 < _s.Length && _s[_i + 1] == quote && _s[_i + 2] == quote)))
            {
                _i += triple ? 3 : 1;
                return plain;
            }

            if (c == '\n' && !triple)
            {
                throw Error("newline in a string");
            }

            if (isBytes && c > 0x7F)
            {
                throw Error("bytes literals hold ASCII only");
            }

            if (c != '\\')
            {
                text.Append(c);
                _i++;
                continue;
            }

            plain = false;
            if (_i + 1 >= _s.Length)
            {
                throw Error("unterminated string");
            }

            if (raw)
            {
                // A raw string keeps the backslash, and the character after it cannot end the string.
                text.Append(c).Append(_s[_i + 1]);
                _i += 2;
                continue;
            }

            Escape(text, isBytes);
        }
    }

    private void Escape(StringBuilder text, bool isBytes)
    {
        char e = _s[_i + 1];
        _i += 2;
        switch (e)
        {
            case '\n':
                return;
            case '\\' or '\'' or '"':
                text.Append(e);
                return;
            case 'a': text.Append('\a'); return;
            case 'b': text.Append('\b'); return;
            case 'f': text.Append('\f'); return;
            case 'n': text.Append('\n'); return;
            case 'r': text.Append('\r'); return;
            case 't': text.Append('\t'); return;
            case 'v': text.Append('\v'); return;
            case >= '0' and <= '7':
                int value = e - '0';
                for (int k = 0; k < 2 && _i < _s.Length && _s[_i] is >= '0' and <= '7'; k++)
                {
                    value = value * 8 + (_s[_i++] - '0');
                }

                text.Append((char)(isBytes ? value & 0xFF : value));
                return;
            case 'x':
                text.Append((char)Hex(2));
                return;
            case 'u' when !isBytes:
                text.Append((char)Hex(4));
                return;
            case 'U' when !isBytes:
                int code = Hex(8);
                text.Append(code <= 0x10FFFF && code is < 0xD800 or > 0xDFFF ? char.ConvertFromUtf32(code) : throw Error("bad \\U escape"));
                return;
            case 'N' when !isBytes:
                // Named characters need the Unicode name table; no header numpy writes uses them. Keep a marker that
                // matches no dtype, so the descr stays unclassified rather than guessed.
                int close = _s.IndexOf('}', _i);
                if (_i >= _s.Length || _s[_i] != '{' || close < 0)
                {
                    throw Error("bad \\N escape");
                }

                text.Append('\uFFFD');
                _i = close + 1;
                return;
            default:
                // Unknown escapes keep their backslash (Python warns, but accepts).
                text.Append('\\').Append(e);
                return;
        }
    }

    private int Hex(int digits)
    {
        if (_i + digits > _s.Length || !int.TryParse(_s.AsSpan(_i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value)
            || _s.AsSpan(_i, digits).ContainsAny("+- "))
        {
            throw Error("truncated \\x, \\u or \\U escape");
        }

        _i += digits;
        return value;
    }

    private string Word()
    {
        int start = _i;
        while (_i < _s.Length && (char.IsLetterOrDigit(_s[_i]) || _s[_i] == '_'))
        {
            _i++;
        }

        return _s[start.._i];
    }

    // Between tokens: spaces, tabs, form feeds, comments, backslash line continuations, and inside brackets newlines.
    private void SkipSpace(bool insideBrackets)
    {
        while (_i < _s.Length)
        {
            char c = _s[_i];
            if (c is ' ' or '\t' or '\f' || (c is '\n' or '\r' && insideBrackets))
            {
                _i++;
            }
            else if (c == '\\' && _i + 1 < _s.Length && _s[_i + 1] == '\n')
            {
                _i += 2;
            }
            else if (c == '#')
            {
                while (_i < _s.Length && _s[_i] != '\n')
                {
                    _i++;
                }
            }
            else if (c is '\n' or '\r' && !insideBrackets && _s.AsSpan(_i).Trim().IsEmpty)
            {
                _i = _s.Length; // the newline that ends the expression
            }
            else
            {
                return;
            }
        }
    }

    private bool Peek(char c) => _i < _s.Length && _s[_i] == c;

    private void Expect(char c)
    {
        SkipSpace(true);
        if (!Peek(c))
        {
            throw Error($"expected '{c}'");
        }

        _i++;
    }

    private ModelFormatException Error(string what) => new($"the header is not a Python literal: {what} at character {_i}");
}
