using System.Text;
using System.Text.RegularExpressions;

namespace ModelAudit.Engine.Formats.Text;

/// <summary>Recognises Python source by content, whatever the file is called: several import/def/class lines.</summary>
internal static partial class ScriptSniffer
{
    public static bool LooksLikePython(byte[] head)
    {
        string text = Encoding.UTF8.GetString(head, 0, Math.Min(head.Length, 4096));
        return PythonStatement().Matches(text).Count >= 2;
    }

    [GeneratedRegex(@"^(?:import [A-Za-z_][\w.]*|from [A-Za-z_.][\w.]* import |def [A-Za-z_]\w*\(|class [A-Za-z_]\w*[(:]|if __name__ == )",
        RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex PythonStatement();
}
