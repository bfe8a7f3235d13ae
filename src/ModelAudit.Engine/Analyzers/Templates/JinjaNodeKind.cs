namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>Jinja2 AST node kinds (the subset of <c>jinja2.nodes</c> the walk needs to tell apart).</summary>
internal enum JinjaNodeKind
{
    // Structure
    Template,
    Body,

    /// <summary>A missing optional part (a slice bound, a for-loop filter).</summary>
    Empty,

    // Statements
    Print,
    For,
    If,
    Set,
    SetBlock,
    Macro,
    CallBlock,
    FilterBlock,
    With,
    Block,
    Extends,
    Include,
    Import,
    FromImport,
    Do,
    Autoescape,
    LoopControl,
    Generation,

    // Expressions
    Name,
    String,
    Number,

    /// <summary>true, false or none.</summary>
    Constant,
    Tuple,
    List,
    Dict,
    Pair,
    CondExpr,

    /// <summary>An infix operator (arithmetic, <c>~</c>, comparison, and/or); the operator is the node's value.</summary>
    Binary,

    /// <summary>A prefix operator (<c>-</c>, <c>+</c>, <c>not</c>).</summary>
    Unary,
    Getattr,
    Getitem,
    Slice,
    Call,
    Keyword,
    DynArgs,
    DynKwargs,
    Filter,
    Test,
}
