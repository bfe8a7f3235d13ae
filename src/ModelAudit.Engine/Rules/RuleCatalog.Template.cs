using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

public static partial class RuleCatalog
{
    private const string TemplateCve = "CVE-2024-34359";

    private const string FixTemplate =
        "Do not render this chat template. Replace it with the template the model's publisher ships (tokenizer_config.json or chat_template.jinja from the original repository), and render templates only in a sandboxed environment.";

    static partial void AddTemplateRules(List<ModelRule> rules) => rules.AddRange(new[]
    {
        Rule(TemplateInternalAttribute, "Chat template reads a Python internal attribute", Severity.Critical, FindingCategory.Template,
            "A Jinja2 chat template reads a dunder or interpreter-internal attribute (__class__, __mro__, __subclasses__, __globals__, __builtins__, __init__, __import__, f_globals…) with '.', a subscript, |attr or an attribute= filter argument. This is how server-side template injection walks from a string to os.popen; chat templates are rendered by transformers, llama.cpp bindings and serving stacks, some without a sandbox (CVE-2024-34359).",
            FixTemplate, TemplateCve),
        Rule(TemplateObfuscatedAttribute, "Chat template builds an internal attribute name", Severity.Critical, FindingCategory.Template,
            "A Jinja2 chat template reads an attribute whose name it spells with escapes (\"\\x5f\\x5f\"), adjacent literals or string operations ('_'*2, ~ joins, |join, |format, |replace, |reverse, str.format) and that name is a Python internal or a command-running method. Obfuscation has no use in a chat template but to get past text filters.",
            FixTemplate, TemplateCve),
        Rule(TemplateComputedAttribute, "Chat template reads an attribute with a computed name", Severity.Warning, FindingCategory.Template,
            "A Jinja2 chat template reads an attribute through |attr, or a subscript with a string it builds, and the name cannot be worked out without rendering. Real chat templates name what they read; a computed name is the shape of an injection whose name is hidden.",
            "Read the template and make sure the computed name can only be an ordinary message field before rendering it.", TemplateCve),
        Rule(TemplateGlobalObjectWalk, "Chat template walks a Jinja2 global function", Severity.Critical, FindingCategory.Template,
            "A Jinja2 chat template reads an attribute of one of Jinja2's global functions itself (cycler, joiner, namespace, lipsum, range, dict) rather than calling it. Those are Python functions, and their attributes lead to their module's globals and to os.",
            FixTemplate, TemplateCve),
        Rule(TemplateDangerousReference, "Chat template references the host or Python", Severity.Critical, FindingCategory.Template,
            "A Jinja2 chat template uses a name that no chat-template renderer provides but that web frameworks and unsafe render contexts do: self (the template reference), config, request, session, url_for, os, sys, subprocess, builtins, eval, exec, __import__, getattr, open.",
            FixTemplate, TemplateCve),
        Rule(TemplateExecutionCall, "Chat template calls a command-running method", Severity.Critical, FindingCategory.Template,
            "A Jinja2 chat template calls a method that runs commands or code (system, popen, check_output, import_module, eval, exec…), whatever object it is read from.",
            FixTemplate, TemplateCve),
        Rule(TemplateLoadsTemplate, "Chat template loads another template", Severity.Warning, FindingCategory.Template,
            "A Jinja2 chat template uses include, import, from or extends. Chat-template renderers have no template loader, so this fails in ordinary use; where a loader exists it reads files chosen by the template.",
            "Inline what the template needs; a chat template should be self-contained."),
        Rule(TemplateSyntaxError, "Chat template does not parse", Severity.Warning, FindingCategory.Template,
            "A chat template is not valid Jinja2, so the loader would refuse it (TemplateSyntaxError) and the model cannot be used for chat as shipped. A template broken on purpose can also target a renderer whose parser differs.",
            "Replace the template with the publisher's original."),
    });
}
