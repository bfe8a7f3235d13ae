using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ModelAudit.Engine.Analyzers.Configuration;

/// <summary>
/// A bounded TOML reader of our own (pyproject.toml, *.toml configs): tables and arrays of tables, dotted, bare and
/// quoted keys, the four string forms with their escapes, arrays, inline tables and bare scalars (booleans, numbers,
/// dates). It keeps every scalar with its key path; nothing is converted or evaluated. Array and inline-table nesting
/// is bounded; a syntax error ends the read with what was read before it.
/// </summary>
internal sealed partial class TomlReader
{
    // Real configs nest a few levels; deeper arrays are a crafted file, and the reader recurses once per level.
    private const int MaxNesting = 64;

    private readonly string _text;
    private readonly ConfigDocument _document = new();
    private int _pos;

    private TomlReader(string text) => _text = text;

    public static ConfigDocument Read(string text)
    {
        var reader = new TomlReader(text);
        try
        {
            reader.Document();
        }
        catch (ConfigSyntaxException ex)
        {
            reader._document.Error = ex.Message;
        }

        return reader._document;
    }

    private char Current => _pos < _text.Length ? _text[_pos] : '\0';

    private bool AtEnd => _pos >= _text.Length;

    private void Document()
    {
        string table = "";
        while (true)
        {
            SkipBlankLinesAndComments();
            if (AtEnd)
            {
                return;
            }

            if (Current == '[')
            {
                bool arrayOfTables = _pos + 1 < _text.Length && _text[_pos + 1] == '[';
                _pos += arrayOfTables ? 2 : 1;
                table = Key();
                Expect(']');
                if (arrayOfTables)
                {
                    Expect(']');
                }
            }
            else
            {
                string key = Key();
                Expect('=');
                SkipSpaces();
                Value(Join(table, key), 0);
            }

            EndOfLine();
        }
    }

    // A dotted key: bare or quoted parts joined by '.', with spaces allowed around the dots.
    private string Key()
    {
        var parts = new List<string>();
        while (true)
        {
            SkipSpaces();
            parts.Add(SimpleKey());
            SkipSpaces();
            if (Current != '.')
            {
                return string.Join('.', parts);
            }

            _pos++;
        }
    }

    private string SimpleKey()
    {
        if (Current == '"')
        {
            return BasicString();
        }

        if (Current == '\'')
        {
            return LiteralString();
        }

        int start = _pos;
        while (!AtEnd && (char.IsAsciiLetterOrDigit(Current) || Current is '_' or '-'))
        {
            _pos++;
        }

        return _pos > start ? _text[start.._pos] : throw Error("expected a key");
    }

    private void Value(string path, int depth)
    {
        if (depth > MaxNesting)
        {
            throw Error($"arrays or inline tables nested deeper than {MaxNesting}");
        }

        int start = _pos;
        switch (Current)
        {
            case '"':
                _document.Add(path, Starts("\"\"\"") ? MultilineString(basic: true) : BasicString(), start);
                return;
            case '\'':
                _document.Add(path, Starts("'''") ? MultilineString(basic: false) : LiteralString(), start);
                return;
            case '[':
                Array(path, depth);
                return;
            case '{':
                InlineTable(path, depth);
                return;
        }

        while (!AtEnd && Current is not (',' or ']' or '}' or '#' or '\r' or '\n'))
        {
            _pos++;
        }

        string raw = _text[start.._pos].TrimEnd(' ', '\t');
        _pos = start + raw.Length;
        if (!BareScalar().IsMatch(raw))
        {
            throw Error(raw.Length == 0 ? "expected a value" : "not a TOML value");
        }

        _document.Add(path, raw, start);
    }

    private void Array(string path, int depth)
    {
        _pos++;
        for (int index = 0; ; index++)
        {
            SkipBlankLinesAndComments();
            if (Current == ']')
            {
                _pos++;
                return;
            }

            Value(path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]", depth + 1);
            SkipBlankLinesAndComments();
            if (Current == ',')
            {
                _pos++;
            }
            else if (Current == ']')
            {
                _pos++;
                return;
            }
            else
            {
                throw Error("expected ',' or ']' in an array");
            }
        }
    }

    private void InlineTable(string path, int depth)
    {
        _pos++;
        SkipSpaces();
        if (Current == '}')
        {
            _pos++;
            return;
        }

        while (true)
        {
            string key = Key();
            Expect('=');
            SkipSpaces();
            Value(Join(path, key), depth + 1);
            SkipSpaces();
            if (Current == ',')
            {
                _pos++;
            }
            else if (Current == '}')
            {
                _pos++;
                return;
            }
            else
            {
                throw Error("expected ',' or '}' in an inline table");
            }
        }
    }

    private string BasicString()
    {
        _pos++;
        var value = new StringBuilder();
        while (true)
        {
            if (AtEnd || Current is '\n' or '\r')
            {
                throw Error("unterminated string");
            }

            char c = _text[_pos++];
            if (c == '"')
            {
                return value.ToString();
            }

            if (c == '\\')
            {
                Escape(value);
            }
            else
            {
                value.Append(c);
            }
        }
    }

    private string LiteralString()
    {
        _pos++;
        int start = _pos;
        while (!AtEnd && Current is not ('\'' or '\n' or '\r'))
        {
            _pos++;
        }

        if (Current != '\'')
        {
            throw Error("unterminated literal string");
        }

        return _text[start.._pos++];
    }

    // """…""" or '''…''': a newline right after the opening is dropped, up to two quotes may precede the closing
    // three, and in the basic form a backslash at the end of a line joins it to the next non-blank text.
    private string MultilineString(bool basic)
    {
        char quote = basic ? '"' : '\'';
        _pos += 3;
        if (Starts("\r\n"))
        {
            _pos += 2;
        }
        else if (Current == '\n')
        {
            _pos++;
        }

        var value = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw Error("unterminated multi-line string");
            }

            if (Current == quote && Starts(new string(quote, 3)))
            {
                int extra = 0;
                while (extra < 2 && _pos + 3 + extra < _text.Length && _text[_pos + 3 + extra] == quote)
                {
                    extra++;
                }

                value.Append(quote, extra);
                _pos += 3 + extra;
                return value.ToString();
            }

            char c = _text[_pos++];
            if (basic && c == '\\')
            {
                if (LineEndingBackslash())
                {
                    continue;
                }

                Escape(value);
            }
            else
            {
                value.Append(c);
            }
        }
    }

    // After a backslash: only blanks up to the end of the line means "join lines"; skips them and what follows.
    private bool LineEndingBackslash()
    {
        int at = _pos;
        while (at < _text.Length && _text[at] is ' ' or '\t')
        {
            at++;
        }

        if (at >= _text.Length || _text[at] is not ('\n' or '\r'))
        {
            return false;
        }

        while (at < _text.Length && char.IsWhiteSpace(_text[at]))
        {
            at++;
        }

        _pos = at;
        return true;
    }

    private void Escape(StringBuilder value)
    {
        if (AtEnd)
        {
            throw Error("unterminated escape");
        }

        char e = _text[_pos++];
        switch (e)
        {
            case 'b': value.Append('\b'); break;
            case 't': value.Append('\t'); break;
            case 'n': value.Append('\n'); break;
            case 'f': value.Append('\f'); break;
            case 'r': value.Append('\r'); break;
            case 'e': value.Append('\u001b'); break;
            case '"': value.Append('"'); break;
            case '\\': value.Append('\\'); break;
            case 'x': value.Append(HexCodePoint(2)); break;
            case 'u': value.Append(HexCodePoint(4)); break;
            case 'U': value.Append(HexCodePoint(8)); break;
            default: throw Error($"unknown escape '\\{e}'");
        }
    }

    private string HexCodePoint(int digits)
    {
        if (_pos + digits > _text.Length || !int.TryParse(_text.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code)
            || code < 0 || code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
        {
            throw Error("invalid escape code point");
        }

        _pos += digits;
        return char.ConvertFromUtf32(code);
    }

    private void Expect(char c)
    {
        SkipSpaces();
        if (Current != c)
        {
            throw Error($"expected '{c}'");
        }

        _pos++;
    }

    // After a key/value pair or a table header: blanks, an optional comment, then the end of the line.
    private void EndOfLine()
    {
        SkipSpaces();
        if (Current == '#')
        {
            SkipComment();
        }

        if (Starts("\r\n"))
        {
            _pos += 2;
        }
        else if (Current == '\n')
        {
            _pos++;
        }
        else if (!AtEnd)
        {
            throw Error("expected the end of the line");
        }
    }

    private void SkipSpaces()
    {
        while (!AtEnd && Current is ' ' or '\t')
        {
            _pos++;
        }
    }

    private void SkipBlankLinesAndComments()
    {
        while (!AtEnd)
        {
            if (Current is ' ' or '\t' or '\r' or '\n')
            {
                _pos++;
            }
            else if (Current == '#')
            {
                SkipComment();
            }
            else
            {
                return;
            }
        }
    }

    private void SkipComment()
    {
        while (!AtEnd && Current != '\n')
        {
            _pos++;
        }
    }

    private bool Starts(string s) => string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;

    private static string Join(string table, string key) => table.Length == 0 ? key : table + "." + key;

    private ConfigSyntaxException Error(string message) => new(message, _pos);

    // Booleans, numbers (decimal, hex, octal, binary, with '_' separators, inf and nan) and dates/times.
    [GeneratedRegex(@"^(?:true|false|[+-]?(?:inf|nan)|[+-]?[0-9][0-9A-Za-z_+\-.:]*(?:[ T][0-9][0-9A-Za-z_+\-.:]*)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex BareScalar();
}
