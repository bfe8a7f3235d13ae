namespace ModelAudit.Engine.Analyzers.Configuration;

/// <summary>
/// INI files as Python's configparser reads them (setup.cfg, *.ini, .aws/credentials-style files): [section]
/// headers, <c>key = value</c> or <c>key: value</c> lines, full-line '#' and ';' comments, and indented
/// continuation lines that extend the previous value. Keys are lower-cased as configparser does. A value before any
/// section, or a line that is neither, is the error configparser raises.
/// </summary>
internal static class IniReader
{
    // configparser's default delimiters; the first one on the line ends the key.
    private static readonly char[] s_delimiters = { '=', ':' };

    public static ConfigDocument Read(string text)
    {
        var document = new ConfigDocument();
        string? section = null;
        bool continuable = false;
        int lineStart = 0;
        while (lineStart < text.Length)
        {
            int lineEnd = text.IndexOf('\n', lineStart);
            if (lineEnd < 0)
            {
                lineEnd = text.Length;
            }

            string line = text[lineStart..lineEnd].TrimEnd('\r');
            string trimmed = line.Trim();
            int at = lineStart;
            lineStart = lineEnd + 1;
            if (trimmed.Length == 0)
            {
                continuable = false;
                continue;
            }

            if (trimmed[0] is '#' or ';')
            {
                continue;
            }

            // configparser: an indented line after a value is more of that value.
            if (continuable && char.IsWhiteSpace(line[0]) && document.Scalars.Count > 0)
            {
                var last = document.Scalars[^1];
                document.Scalars[^1] = (last.Path, last.Value + "\n" + trimmed, last.Offset);
                continue;
            }

            if (trimmed[0] == '[' && trimmed[^1] == ']' && trimmed.Length > 2)
            {
                section = trimmed[1..^1].Trim();
                continuable = false;
                continue;
            }

            int delimiter = line.IndexOfAny(s_delimiters);
            if (delimiter <= 0 || line[..delimiter].Trim().Length == 0)
            {
                document.Error = $"line at character {at} is not a [section], a key = value pair or a comment";
                return document;
            }

            if (section is null)
            {
                document.Error = $"a value before any [section] header at character {at}";
                return document;
            }

            string key = line[..delimiter].Trim().ToLowerInvariant();
            string value = line[(delimiter + 1)..].Trim();
            document.Add(section + "." + key, value, at + delimiter + 1);
            continuable = true;
        }

        return document;
    }
}
