namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>A template found in a configuration document: where it was (<c>chat_template</c>,
/// <c>chat_template[tool_use]</c>), its text, and where its <c>chat_template</c> key starts in the text searched.</summary>
internal readonly record struct ChatTemplateSource(string KeyPath, string Template, int KeyIndex);
