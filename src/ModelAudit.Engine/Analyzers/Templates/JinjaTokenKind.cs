namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>What a Jinja2 token is; the names follow Jinja2's own lexer.</summary>
internal enum JinjaTokenKind
{
    /// <summary>Template text outside tags.</summary>
    Data,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,

    /// <summary>An operator or punctuation; its text is the token's value.</summary>
    Operator,
    Eof,
}
