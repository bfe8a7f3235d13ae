using System.Text;
using System.Xml;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Text;
using ModelAudit.Engine.Formats.Xml;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pmml;

/// <summary>
/// PMML documents, read with <see cref="SafeXml"/> (a DTD is reported, never processed). PMML is declarative;
/// the places code hides are vendor <c>&lt;Extension&gt;</c> elements, whose content goes to the analyzers and is
/// reported when it is script.
/// </summary>
internal sealed class PmmlScanner : IFormatScanner
{
    // Forests exported to PMML reach hundreds of megabytes; XmlReader streams them, and this caps the largest single
    // text node it would materialise.
    private const long MaxDocumentCharacters = 1L << 30;

    // Extension content kept per element for the analyzers: enough for any script, bounded for a hostile one.
    private const int MaxExtensionCharacters = 1 << 20;

    // Element names vendors use for embedded code inside an Extension.
    private static readonly string[] s_codeElements = { "script", "code", "python", "source", "lambda" };

    public ScannerInfo Info { get; } = new("pmml", "PMML", new[] { PmmlFormats.Pmml });

    public Reading? Sniff(SniffInput input) =>
        SafeXml.Prolog(input.Head).Root == "PMML" ? new Reading(PmmlFormats.Pmml, this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        if (SafeXml.Prolog(input.Head).HasDoctype)
        {
            context.Report(RuleIds.XmlDocumentTypeDeclaration, "The PMML document declares a DTD; it was not processed.", 0, "DOCTYPE");
        }

        using XmlReader reader = SafeXml.Create(input.Stream, MaxDocumentCharacters);
        try
        {
            Walk(reader, context);
        }
        catch (Exception ex) when (SafeXml.IsMalformed(ex))
        {
            throw new ModelFormatException($"The PMML document is not well-formed XML: {ex.Message}");
        }
    }

    private static void Walk(XmlReader reader, ScanContext context)
    {
        StringBuilder? extension = null;
        int extensionDepth = -1;
        string extensionName = "";
        bool extensionHasCodeElement = false;
        while (reader.Read())
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (reader.NodeType == XmlNodeType.Element)
            {
                if (extension is null && reader.LocalName == "Extension")
                {
                    extension = new StringBuilder();
                    extensionDepth = reader.Depth;
                    extensionName = reader.GetAttribute("name") ?? reader.GetAttribute("extender") ?? "";
                    extensionHasCodeElement = false;
                    AppendAttributes(reader, extension);
                    if (reader.IsEmptyElement)
                    {
                        Finish(extension, extensionName, false, context);
                        extension = null;
                    }

                    continue;
                }

                if (extension is not null)
                {
                    extensionHasCodeElement |= s_codeElements.Contains(reader.LocalName, StringComparer.OrdinalIgnoreCase);
                    AppendAttributes(reader, extension);
                }
            }
            else if (extension is not null && reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA)
            {
                Append(extension, reader.Value);
                Append(extension, "\n");
            }
            else if (extension is not null && reader.NodeType == XmlNodeType.EndElement && reader.Depth == extensionDepth)
            {
                Finish(extension, extensionName, extensionHasCodeElement, context);
                extension = null;
            }
        }
    }

    private static void AppendAttributes(XmlReader reader, StringBuilder text)
    {
        while (reader.MoveToNextAttribute())
        {
            Append(text, reader.Value);
            Append(text, "\n");
        }

        reader.MoveToElement();
    }

    private static void Append(StringBuilder text, string value) =>
        text.Append(value, 0, Math.Min(value.Length, Math.Max(0, MaxExtensionCharacters - text.Length)));

    // Extension text is indented with the document; the script sniffer looks for statements at line starts.
    private static string Unindent(string text) =>
        string.Join('\n', text.Split('\n').Select(line => line.TrimStart()));

    private static void Finish(StringBuilder extension, string name, bool hasCodeElement, ScanContext context)
    {
        string text = extension.ToString();
        string keyPath = $"PMML/Extension[{name}]";
        if (text.Length > 0)
        {
            context.Analyze(new ContentFragment(text, keyPath, ContentKind.ConfigValue));
        }

        if (hasCodeElement || ScriptSniffer.LooksLikePython(Encoding.UTF8.GetBytes(Unindent(text))))
        {
            context.Report(RuleIds.PmmlCodeExtension,
                $"PMML extension '{name}' carries {(hasCodeElement ? "a code element" : "Python source")}; a runtime that honours it runs that code.",
                null, keyPath);
        }
    }
}
