using System.Text;

namespace ModelAudit.Commands;

/// <summary>
/// The default findings view: "Severity RuleId message", wrapped at word boundaries into an 80-column block with
/// continuation lines hanging under the message. PowerShell's own wrapping breaks words mid-word except in a few
/// cultures (en, de, fr, it, pt, es: never in the invariant culture of CI containers), and a format view cannot
/// know the width Out-String was given, so the block is wrapped here, to the width that reads at 80 and 120 alike.
/// </summary>
public static class FindingText
{
    // 80 columns minus one: a line exactly as wide as the console wraps on some hosts.
    private const int LineWidth = 79;

    // "Critical" + 1 space, "MA1001" + 1 space: the message starts at the same column on every line.
    private const int Indent = 16;

    /// <summary>The wrapped block for one finding.</summary>
    public static string Format(ModelFinding finding)
    {
        string text = finding.Member is null ? finding.Message : finding.Member + ": " + finding.Message;
        string prefix = finding.Severity.ToString().PadRight(Indent - 7) + finding.RuleId.PadRight(7);
        return prefix + Wrap(text, LineWidth - Indent, new string(' ', Indent));
    }

    /// <summary>The group header: the file name on a line of its own, so a long folder never cuts it, then the folder.</summary>
    public static string Header(string path)
    {
        string? folder = Path.GetDirectoryName(path);
        return string.IsNullOrEmpty(folder) ? "File: " + path : $"File: {Path.GetFileName(path)}\n  in {folder}";
    }

    /// <summary>Wraps <paramref name="text"/> at spaces into lines of at most <paramref name="width"/>, joining them
    /// with a newline and <paramref name="indent"/>. A word longer than a line is split (nothing else can fit it).</summary>
    public static string Wrap(string text, int width, string indent)
    {
        var result = new StringBuilder();
        int lineLength = 0;
        foreach (string word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            string rest = word;
            if (lineLength > 0 && lineLength + 1 + rest.Length > width)
            {
                result.Append('\n').Append(indent);
                lineLength = 0;
            }
            else if (lineLength > 0)
            {
                result.Append(' ');
                lineLength++;
            }

            while (lineLength + rest.Length > width)
            {
                int take = width - lineLength;
                result.Append(rest, 0, take).Append('\n').Append(indent);
                rest = rest[take..];
                lineLength = 0;
            }

            result.Append(rest);
            lineLength += rest.Length;
        }

        return result.ToString();
    }
}
