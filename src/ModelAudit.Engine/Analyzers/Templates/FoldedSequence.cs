namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>A list, tuple or dict (its keys) whose items the template fixes in its source.</summary>
internal sealed record FoldedSequence(IReadOnlyList<object> Items, bool IsTuple);
