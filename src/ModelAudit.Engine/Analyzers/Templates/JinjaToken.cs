namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>One Jinja2 token. <see cref="Escaped"/> marks a string literal whose text came from escape sequences
/// (<c>"\x5f"</c>) or from adjacent literals, so the walk can tell an obfuscated name from a plain one.</summary>
internal readonly record struct JinjaToken(JinjaTokenKind Kind, string Value, int Line, bool Escaped = false)
{
    public bool Is(string op) => Kind == JinjaTokenKind.Operator && Value == op;

    public bool IsName(string name) => Kind == JinjaTokenKind.Name && Value == name;

    public override string ToString() => Kind switch
    {
        JinjaTokenKind.Eof => "end of template",
        JinjaTokenKind.VariableEnd => "'}}'",
        JinjaTokenKind.BlockEnd => "'%}'",
        _ => $"'{Value}'",
    };
}
