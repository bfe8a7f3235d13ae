namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>
/// A node of the template's syntax tree. One shape for every kind keeps the walk generic: <see cref="Value"/> holds
/// the name, operator or decoded literal, and <see cref="Children"/> the operands in source order (documented per kind
/// in <see cref="JinjaParser"/>).
/// </summary>
internal sealed class JinjaNode
{
    private static readonly JinjaNode[] s_none = Array.Empty<JinjaNode>();

    public JinjaNode(JinjaNodeKind kind, int line, string? value = null, IReadOnlyList<JinjaNode>? children = null, bool escaped = false)
    {
        Kind = kind;
        Line = line;
        Value = value;
        Children = children ?? s_none;
        Escaped = escaped;
    }

    public JinjaNodeKind Kind { get; }

    /// <summary>1-based template line.</summary>
    public int Line { get; }

    public string? Value { get; }

    public IReadOnlyList<JinjaNode> Children { get; }

    /// <summary>For a string literal: its text came from escape sequences or adjacent literals.</summary>
    public bool Escaped { get; }

    public static JinjaNode Empty(int line) => new(JinjaNodeKind.Empty, line);
}
