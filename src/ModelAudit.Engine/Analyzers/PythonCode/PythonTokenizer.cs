namespace ModelAudit.Engine.Analyzers.PythonCode;

/// <summary>
/// A Python tokenizer of our own (the code is never run or compiled): names, strings (every prefix, triple quotes,
/// escapes), numbers, operators and logical line ends, so that a word inside a string, a docstring or a comment is
/// never taken for a call. Unterminated strings end at the end of the text, as a tolerant reader must.
/// </summary>
internal static class PythonTokenizer
{
    private static readonly string[] s_threeCharOperators = { "**=", "//=", ">>=", "<<=", "..." };
    private static readonly string[] s_twoCharOperators = { "**", "//", "==", "!=", "<=", ">=", "->", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", ":=", "<<", ">>" };

    public static List<PythonToken> Tokenize(string text, int maxTokens)
    {
        var tokens = new List<PythonToken>();
        int i = 0, line = 1, depth = 0;
        while (i < text.Length && tokens.Count < maxTokens)
        {
            char c = text[i];
            if (c == '\n')
            {
                if (depth == 0 && tokens.Count > 0 && tokens[^1].Kind != PythonTokenKind.NewLine)
                {
                    tokens.Add(new PythonToken(PythonTokenKind.NewLine, "\n", line));
                }

                line++;
                i++;
            }
            else if (c == '\\' && i + 1 < text.Length && text[i + 1] is '\n' or '\r')
            {
                i++; // explicit line continuation
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (StringStart(text, i) is { } quoteAt)
            {
                int start = i;
                i = SkipString(text, quoteAt, ref line);
                tokens.Add(new PythonToken(PythonTokenKind.String, text[start..i], line));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                int start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new PythonToken(PythonTokenKind.Name, text[start..i], line));
            }
            else if (char.IsAsciiDigit(c))
            {
                int start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '.' or '_'))
                {
                    i++;
                }

                tokens.Add(new PythonToken(PythonTokenKind.Number, text[start..i], line));
            }
            else
            {
                string op = Operator(text, i);
                depth = op switch
                {
                    "(" or "[" or "{" => depth + 1,
                    ")" or "]" or "}" => Math.Max(0, depth - 1),
                    _ => depth,
                };
                tokens.Add(new PythonToken(PythonTokenKind.Operator, op, line));
                i += op.Length;
            }
        }

        return tokens;
    }

    /// <summary>The string literal's content without prefix and quotes (escapes left as written).</summary>
    public static string StringBody(string literal)
    {
        int q = literal.IndexOfAny(new[] { '\'', '"' });
        if (q < 0)
        {
            return literal;
        }

        int quoteLength = literal.Length - q >= 6 && literal[q + 1] == literal[q] && literal[q + 2] == literal[q] ? 3 : 1;
        int end = Math.Max(q + quoteLength, literal.Length - quoteLength);
        return literal[(q + quoteLength)..end];
    }

    // Index of the opening quote when a string literal (with an optional r/b/u/f prefix of up to two letters) starts here.
    private static int? StringStart(string text, int i)
    {
        for (int p = 0; p <= 2 && i + p < text.Length; p++)
        {
            char c = text[i + p];
            if (c is '\'' or '"')
            {
                return i + p;
            }

            if (!(c is 'r' or 'R' or 'b' or 'B' or 'u' or 'U' or 'f' or 'F'))
            {
                return null;
            }
        }

        return null;
    }

    private static int SkipString(string text, int quoteAt, ref int line)
    {
        char quote = text[quoteAt];
        bool triple = quoteAt + 2 < text.Length && text[quoteAt + 1] == quote && text[quoteAt + 2] == quote;
        int i = quoteAt + (triple ? 3 : 1);
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\\')
            {
                if (i + 1 < text.Length && text[i + 1] == '\n')
                {
                    line++;
                }

                i += 2;
                continue;
            }

            if (c == '\n')
            {
                line++;
                if (!triple)
                {
                    return i; // an unterminated single-line string ends at the line end
                }
            }

            if (c == quote && (!triple || (i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote)))
            {
                return i + (triple ? 3 : 1);
            }

            i++;
        }

        return text.Length;
    }

    private static string Operator(string text, int i)
    {
        foreach (string op in s_threeCharOperators)
        {
            if (string.CompareOrdinal(text, i, op, 0, op.Length) == 0)
            {
                return op;
            }
        }

        foreach (string op in s_twoCharOperators)
        {
            if (string.CompareOrdinal(text, i, op, 0, op.Length) == 0)
            {
                return op;
            }
        }

        return text[i].ToString();
    }
}
