namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>The template does not parse as Jinja2: the loader would refuse it (TemplateSyntaxError).</summary>
internal sealed class JinjaSyntaxException : ModelFormatException
{
    public JinjaSyntaxException(string message, int line)
        : base($"{message} (line {line})")
    {
        Line = line;
    }

    /// <summary>The 1-based template line where parsing stopped.</summary>
    public int Line { get; }
}
