namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>
/// One credential a detector found: the rule it falls under, what it is ("GitHub token"), where it starts in the
/// fragment, the public prefix that may be shown, and the value itself (used only to fingerprint it, never shown).
/// </summary>
internal readonly record struct SecretHit(string RuleId, string Kind, int Index, string ShownPrefix, string Value);
