namespace ModelAudit.Engine.Analyzers.PythonCode;

/// <summary>The token classes the analysis needs; comments and whitespace are dropped by the tokenizer.</summary>
internal enum PythonTokenKind
{
    Name,
    String,
    Number,
    Operator,
    NewLine,
}
