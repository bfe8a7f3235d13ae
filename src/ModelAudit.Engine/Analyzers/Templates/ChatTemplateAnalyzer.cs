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

        // A template value the previous fragment ended inside: the rest of it is at the start of this one.
        if (context.File.AnalyzerState.Remove((Name, context.Member), out object? state) && !ContinuePending((PendingTemplate)state, fragment, context))
        {
            return;
        }

        if (!ChatTemplateJson.MayHoldKey(text))
        {
            return;
        }

        int cutAt;
        List<ChatTemplateSource> templates;
        if (first)
        {
            if (!StartsLikeJson(text))
            {
                return;
            }

            templates = ChatTemplateJson.FromDocument(text, out cutAt);
        }
        else
        {
            templates = ChatTemplateJson.FromFragment(text, out cutAt);
        }

        // A key in the lookahead is the next fragment's: it reads the value from there, once.
        foreach (ChatTemplateSource source in templates.Where(t => fragment.Owns(t.KeyIndex)))
        {
            AnalyzeTemplate(source.Template, $"'{fragment.KeyPath} → {source.KeyPath}'", null, context);
        }

        if (cutAt >= 0 && fragment.Owns(cutAt))
        {
            Hold(new PendingTemplate(text[cutAt..], fragment.Offset is { } start ? start + cutAt : null), fragment, context);
        }
    }

    // Appends this fragment to a template value cut at the previous boundary and reads it again; true when the
    // value is now complete (or given up), so the rest of the fragment is searched as usual.
    private bool ContinuePending(PendingTemplate pending, ContentFragment fragment, ScanContext context)
    {
        string text = pending.Text + fragment.Text[fragment.Repeated..];
        List<ChatTemplateSource> templates = ChatTemplateJson.FromFragment(text, out int cutAt);
        foreach (ChatTemplateSource source in templates.Where(t => t.KeyIndex == 0))
        {
            AnalyzeTemplate(source.Template, $"'{fragment.KeyPath} → {source.KeyPath}'", pending.Offset, context);
        }

        if (cutAt != 0)
        {
            return true;
        }

        return !Hold(pending with { Text = text }, fragment, context);
    }

    // Keeps a cut template value for the next fragment; false when there is none (the file ends inside the
    // value) or the value is already longer than any template analyzed, each reported instead.
    private bool Hold(PendingTemplate pending, ContentFragment fragment, ScanContext context)
    {
        // JSON spells a character in at most six (\uXXXX): longer raw text holds a template over the limit.
        long maxRaw = (6L * context.Limits.MaxTemplateChars) + 64;
        if (fragment.IsLast)
        {
            context.ReportInconclusive(RuleIds.ParseError,
                $"'{fragment.KeyPath}' ends inside a chat_template value: the JSON is cut short, and the loader would refuse it.", pending.Offset, "chat_template");
            return false;
        }

        if (pending.Text.Length > maxRaw)
        {
            context.ReportInconclusive(RuleIds.LimitExceeded,
                $"A chat template in '{fragment.KeyPath}' is longer than the {context.Limits.MaxTemplateChars} characters analyzed (MaxTemplateChars).",
                pending.Offset, "MaxTemplateChars");
            return false;
        }

        context.File.AnalyzerState[(Name, context.Member)] = pending;
        return true;
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

    /// <summary>The raw JSON from a chat_template key to the end of the text seen so far, and where the key is.</summary>
    private sealed record PendingTemplate(string Text, long? Offset);

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
