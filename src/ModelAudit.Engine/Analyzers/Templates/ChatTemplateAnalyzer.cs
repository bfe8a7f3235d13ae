using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>
/// Judges Jinja2 chat templates wherever they appear: <c>chat_template</c> values in JSON configs (a string or a
/// list of named templates), <c>*.jinja</c> files, and templates other scanners hand over (GGUF
/// <c>tokenizer.chat_template*</c>, metadata keys named <c>chat_template</c>). Each template is parsed with our own
/// Jinja2 parser and its syntax tree walked (<see cref="TemplateInspector"/>); a template that does not parse is a
/// Warning, since the loader would refuse it.
/// </summary>
internal sealed class ChatTemplateAnalyzer : IContentAnalyzer
{
    private static readonly string[] s_templateExtensions = { ".jinja", ".jinja2", ".j2" };

    public string Name => "ChatTemplate";

    public void Analyze(ContentFragment fragment, ScanContext context)
    {
        switch (fragment.Kind)
        {
            case ContentKind.ChatTemplate:
                AnalyzeTemplate(fragment.Text, $"'{fragment.KeyPath}'", fragment.Offset, context);
                break;
            case ContentKind.Metadata when IsTemplateKey(fragment.KeyPath):
                AnalyzeTemplate(fragment.Text, $"in metadata '{fragment.KeyPath}'", fragment.Offset, context);
                break;
            case ContentKind.FileText:
                AnalyzeFileText(fragment, context);
                break;
        }
    }

    private void AnalyzeFileText(ContentFragment fragment, ScanContext context)
    {
        string text = fragment.Text;
        bool first = fragment.Offset is null or 0;
        if (s_templateExtensions.Contains(Path.GetExtension(fragment.KeyPath), StringComparer.OrdinalIgnoreCase))
        {
            // Later chunks of a template file: the first chunk was already over the size limit and reported.
            if (first)
            {
                AnalyzeTemplate(text, $"'{fragment.KeyPath}'", null, context);
            }

            return;
        }

        if (!ChatTemplateJson.MayHoldKey(text))
        {
            return;
        }

        bool cut;
        List<ChatTemplateSource> templates;
        if (first)
        {
            if (!StartsLikeJson(text))
            {
                return;
            }

            templates = ChatTemplateJson.FromDocument(text, out cut);
        }
        else
        {
            templates = ChatTemplateJson.FromFragment(text, out cut);
        }

        foreach (ChatTemplateSource source in templates)
        {
            AnalyzeTemplate(source.Template, $"'{fragment.KeyPath} → {source.KeyPath}'", null, context);
        }

        if (cut)
        {
            context.ReportInconclusive(RuleIds.LimitExceeded,
                $"A chat template in '{fragment.KeyPath}' crosses a text chunk boundary near character {fragment.Offset ?? 0} and was not analyzed whole.",
                fragment.Offset, "chat_template");
        }
    }

    private void AnalyzeTemplate(string template, string where, long? offset, ScanContext context)
    {
        if (template.Length > context.Limits.MaxTemplateChars)
        {
            context.ReportInconclusive(RuleIds.LimitExceeded,
                $"The chat template {where} has {template.Length} characters, over the {context.Limits.MaxTemplateChars} analyzed (MaxTemplateChars).",
                offset, "MaxTemplateChars");
            return;
        }

        // Without a tag opener a template is plain text: nothing in it is evaluated.
        if (!template.Contains('{'))
        {
            return;
        }

        try
        {
            foreach (TemplateIssue issue in TemplateInspector.Inspect(JinjaParser.Parse(template)))
            {
                context.Report(issue.RuleId, $"The chat template {where} {issue.Description} (line {issue.Line}).", offset, issue.Evidence, scanner: Name);
            }
        }
        catch (JinjaSyntaxException ex)
        {
            context.Report(RuleIds.TemplateSyntaxError, $"The chat template {where} is not valid Jinja2: {ex.Message}.", offset, $"line {ex.Line}", scanner: Name);
        }
        catch (ScanLimitExceededException ex)
        {
            context.ReportInconclusive(RuleIds.LimitExceeded, $"The chat template {where} was not analyzed: {ex.Message}.", offset, ex.Limit);
        }
    }

    private static bool IsTemplateKey(string keyPath) =>
        keyPath.Split('.', '/', ' ', '→', '[', ']').Contains("chat_template", StringComparer.Ordinal);

    private static bool StartsLikeJson(string text)
    {
        foreach (char c in text)
        {
            if (!char.IsWhiteSpace(c) && c != '\uFEFF')
            {
                return c is '{' or '[';
            }
        }

        return false;
    }
}
