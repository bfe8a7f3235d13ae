namespace ModelAudit.Engine.Analyzers.PythonCode;

/// <summary>One token: its class, its text as written, and the 1-based line it starts on.</summary>
internal readonly record struct PythonToken(PythonTokenKind Kind, string Text, int Line);
