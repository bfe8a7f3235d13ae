namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>
/// Splits a template into Jinja2 tokens with Jinja2's default delimiters (<c>{{ }}</c>, <c>{% %}</c>, <c>{# #}</c>,
/// whitespace control with <c>-</c> and <c>+</c>, <c>{% raw %}</c>). Inside a tag, <c>}}</c> and <c>%}</c> close it only
/// outside brackets, as in Jinja2, so <c>{{ {'a': {'b': 1}} }}</c> is one expression. Data text is not kept: the walk
/// judges only what runs.
/// </summary>
internal sealed class JinjaLexer
{
    // Python's operators as Jinja2 lexes them, longest first.
    private static readonly string[] s_operators =
    {
        "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    };

    private readonly string _text;
    private readonly List<JinjaToken> _tokens = new();
    private int _pos;
    private int _line = 1;

    private JinjaLexer(string text) => _text = text;

    public static IReadOnlyList<JinjaToken> Tokenize(string text)
    {
        var lexer = new JinjaLexer(text);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        while (_pos < _text.Length)
        {
            int open = NextTagStart(_pos);
            if (open < 0)
            {
                Advance(_text.Length);
                break;
            }

            if (open > _pos)
            {
                _tokens.Add(new JinjaToken(JinjaTokenKind.Data, string.Empty, _line));
                Advance(open);
            }

            char kind = _text[open + 1];
            int bodyStart = open + 2;
            if (bodyStart < _text.Length && _text[bodyStart] is '-' or '+')
            {
                bodyStart++;
            }

            if (kind == '#')
            {
                int close = _text.IndexOf("#}", bodyStart, StringComparison.Ordinal);
                if (close < 0)
                {
                    throw new JinjaSyntaxException("missing end of comment tag", _line);
                }

                Advance(close + 2);
                continue;
            }

            Advance(bodyStart);
            if (kind == '%' && TryRawBlock())
            {
                continue;
            }

            bool block = kind == '%';
            _tokens.Add(new JinjaToken(block ? JinjaTokenKind.BlockBegin : JinjaTokenKind.VariableBegin, block ? "{%" : "{{", _line));
            LexTag(block);
        }

        _tokens.Add(new JinjaToken(JinjaTokenKind.Eof, string.Empty, _line));
    }

    private int NextTagStart(int from)
    {
        for (int i = _text.IndexOf('{', from); i >= 0 && i + 1 < _text.Length; i = _text.IndexOf('{', i + 1))
        {
            if (_text[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    // {% raw %} ... {% endraw %}: the content is data, whatever it looks like.
    private bool TryRawBlock()
    {
        int i = SkipSpaces(_pos);
        if (!Word(i, "raw", out int afterWord))
        {
            return false;
        }

        int end = SkipSpaces(afterWord);
        if (end < _text.Length && _text[end] == '-')
        {
            end++;
        }

        if (!At(end, "%}"))
        {
            return false;
        }

        int search = end + 2;
        while (true)
        {
            int open = _text.IndexOf("{%", search, StringComparison.Ordinal);
            if (open < 0)
            {
                throw new JinjaSyntaxException("missing end of raw directive", _line);
            }

            int j = open + 2;
            if (j < _text.Length && _text[j] is '-' or '+')
            {
                j++;
            }

            j = SkipSpaces(j);
            if (Word(j, "endraw", out int afterEnd))
            {
                int close = SkipSpaces(afterEnd);
                if (close < _text.Length && _text[close] == '-')
                {
                    close++;
                }

                if (At(close, "%}"))
                {
                    _tokens.Add(new JinjaToken(JinjaTokenKind.Data, string.Empty, _line));
                    Advance(close + 2);
                    return true;
                }
            }

            search = open + 2;
        }
    }

    private void LexTag(bool block)
    {
        int brackets = 0;
        while (true)
        {
            Advance(SkipSpaces(_pos));
            if (_pos >= _text.Length)
            {
                throw new JinjaSyntaxException($"unexpected end of template, expected '{(block ? "%}" : "}}")}'", _line);
            }

            if (brackets == 0 && TryTagEnd(block))
            {
                return;
            }

            char c = _text[_pos];
            if (char.IsLetter(c) || c == '_')
            {
                int end = _pos + 1;
                while (end < _text.Length && (char.IsLetterOrDigit(_text[end]) || _text[end] == '_'))
                {
                    end++;
                }

                _tokens.Add(new JinjaToken(JinjaTokenKind.Name, _text[_pos..end], _line));
                Advance(end);
            }
            else if (c is '\'' or '"')
            {
                LexString(c);
            }
            else if (char.IsAsciiDigit(c))
            {
                LexNumber();
            }
            else
            {
                string? op = s_operators.FirstOrDefault(o => At(_pos, o));
                if (op is null)
                {
                    throw new JinjaSyntaxException($"unexpected char '{c}'", _line);
                }

                brackets += op is "(" or "[" or "{" ? 1 : op is ")" or "]" or "}" ? -1 : 0;
                if (brackets < 0)
                {
                    throw new JinjaSyntaxException($"unexpected '{op}'", _line);
                }

                _tokens.Add(new JinjaToken(JinjaTokenKind.Operator, op, _line));
                Advance(_pos + op.Length);
            }
        }
    }

    private bool TryTagEnd(bool block)
    {
        string close = block ? "%}" : "}}";
        int at = _pos;
        if (_text[at] == '-' || (block && _text[at] == '+'))
        {
            at++;
        }

        if (!At(at, close))
        {
            return false;
        }

        _tokens.Add(new JinjaToken(block ? JinjaTokenKind.BlockEnd : JinjaTokenKind.VariableEnd, close, _line));
        Advance(at + 2);
        return true;
    }

    private void LexString(char quote)
    {
        int i = _pos + 1;
        while (i < _text.Length && _text[i] != quote)
        {
            i += _text[i] == '\\' ? 2 : 1;
        }

        if (i >= _text.Length)
        {
            throw new JinjaSyntaxException("unterminated string", _line);
        }

        string body = _text[(_pos + 1)..i].Replace("\r\n", "\n", StringComparison.Ordinal);
        string value;
        bool escaped;
        try
        {
            value = PythonStringEscapes.Decode(body, out escaped);
        }
        catch (FormatException ex)
        {
            throw new JinjaSyntaxException(ex.Message, _line);
        }

        _tokens.Add(new JinjaToken(JinjaTokenKind.String, value, _line, escaped));
        Advance(i + 1);
    }

    private void LexNumber()
    {
        int i = _pos;
        if (_text[i] == '0' && i + 1 < _text.Length && _text[i + 1] is 'x' or 'X' or 'o' or 'O' or 'b' or 'B')
        {
            i += 2;
            while (i < _text.Length && (char.IsAsciiHexDigit(_text[i]) || _text[i] == '_'))
            {
                i++;
            }

            _tokens.Add(new JinjaToken(JinjaTokenKind.Integer, _text[_pos..i].Replace("_", string.Empty, StringComparison.Ordinal), _line));
            Advance(i);
            return;
        }

        i = Digits(i);
        bool isFloat = false;
        bool afterDot = _tokens.Count > 0 && _tokens[^1].Is(".");
        if (!afterDot && i + 1 < _text.Length && _text[i] == '.' && char.IsAsciiDigit(_text[i + 1]))
        {
            i = Digits(i + 1);
            isFloat = true;
        }

        if (!afterDot && i < _text.Length && _text[i] is 'e' or 'E')
        {
            int j = i + 1;
            if (j < _text.Length && _text[j] is '+' or '-')
            {
                j++;
            }

            if (j < _text.Length && char.IsAsciiDigit(_text[j]))
            {
                i = Digits(j);
                isFloat = true;
            }
        }

        _tokens.Add(new JinjaToken(isFloat ? JinjaTokenKind.Float : JinjaTokenKind.Integer, _text[_pos..i].Replace("_", string.Empty, StringComparison.Ordinal), _line));
        Advance(i);
    }

    private int Digits(int i)
    {
        while (i < _text.Length && (char.IsAsciiDigit(_text[i]) || (_text[i] == '_' && i + 1 < _text.Length && char.IsAsciiDigit(_text[i + 1]))))
        {
            i++;
        }

        return i;
    }

    private bool Word(int at, string word, out int after)
    {
        after = at + word.Length;
        return At(at, word) && (after >= _text.Length || !(char.IsLetterOrDigit(_text[after]) || _text[after] == '_'));
    }

    private bool At(int at, string s) => at >= 0 && at + s.Length <= _text.Length && string.CompareOrdinal(_text, at, s, 0, s.Length) == 0;

    private int SkipSpaces(int i)
    {
        while (i < _text.Length && char.IsWhiteSpace(_text[i]))
        {
            i++;
        }

        return i;
    }

    // Moves to 'to', counting the lines passed, so messages can name the template line.
    private void Advance(int to)
    {
        for (int i = _pos; i < to; i++)
        {
            if (_text[i] == '\n')
            {
                _line++;
            }
        }

        _pos = to;
    }
}
