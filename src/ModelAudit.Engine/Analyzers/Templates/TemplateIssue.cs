namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>One thing the walk found in a template: the rule, what was found (shown as evidence) and a sentence
/// for the message, with the template line.</summary>
internal readonly record struct TemplateIssue(string RuleId, string Evidence, string Description, int Line);
