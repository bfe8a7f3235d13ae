using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Xml;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.OpenVino;

/// <summary>
/// OpenVINO IR: the <c>&lt;net&gt;</c> XML read with <see cref="SafeXml"/>. Layers outside the standard opsets
/// (custom layers from extension libraries), attributes naming native libraries, and Const layers' weight ranges
/// against the size of the <c>.bin</c> beside the file. Runtime info and metadata strings go to the analyzers.
/// </summary>
internal sealed partial class OpenVinoScanner : IFormatScanner
{
    // IR files describe graphs, not weights; even large LLM graphs stay in the tens of megabytes.
    private const long MaxDocumentCharacters = 256L << 20;

    // Attribute names extension layers use to point at their implementation.
    private static readonly string[] s_libraryAttributes = { "library", "implementation", "extension", "plugin", "so_path" };

    public ScannerInfo Info { get; } = new("openvino", "OpenVINO IR", new[] { OpenVinoFormats.OpenVinoIr });

    public Reading? Sniff(SniffInput input) =>
        IsIr(input.Head) ? new Reading(OpenVinoFormats.OpenVinoIr, this, ReadingStrength.Structural) : null;

    /// <summary>True when the first bytes of an XML document are an IR's: a &lt;net&gt; root with &lt;layers&gt;.</summary>
    public static bool IsIr(byte[] head) => SafeXml.Prolog(head).Root == "net" && head.AsSpan().IndexOf("<layers"u8) >= 0;

    public void Scan(ScanInput input, ScanContext context)
    {
        if (SafeXml.Prolog(input.Head).HasDoctype)
        {
            context.Report(RuleIds.XmlDocumentTypeDeclaration, "The OpenVINO IR declares a DTD; it was not processed.", 0, "DOCTYPE");
        }

        var weights = new List<(string Layer, ulong Offset, ulong Size)>();
        using XmlReader reader = SafeXml.Create(input.Stream, MaxDocumentCharacters);
        try
        {
            Walk(reader, weights, context);
        }
        catch (Exception ex) when (SafeXml.IsMalformed(ex))
        {
            throw new ModelFormatException($"The OpenVINO IR is not well-formed XML: {ex.Message}");
        }

        CheckWeights(weights, context);
    }

    private static void Walk(XmlReader reader, List<(string, ulong, ulong)> weights, ScanContext context)
    {
        string layer = "";
        string layerType = "";
        bool inRuntimeInfo = false;
        int runtimeInfoDepth = -1;
        while (reader.Read())
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (reader.NodeType == XmlNodeType.EndElement && inRuntimeInfo && reader.Depth == runtimeInfoDepth)
            {
                inRuntimeInfo = false;
                continue;
            }

            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            switch (reader.LocalName)
            {
                case "layer":
                    layer = reader.GetAttribute("name") ?? reader.GetAttribute("id") ?? "";
                    layerType = reader.GetAttribute("type") ?? "";
                    CheckLayerVersion(reader.GetAttribute("version"), layer, layerType, context);
                    break;
                case "data" when layerType == "Const":
                    ReadWeightRange(reader, layer, weights);
                    break;
                case "rt_info" or "meta_data" or "quantization_parameters" or "conversion_parameters":
                    if (!reader.IsEmptyElement && !inRuntimeInfo)
                    {
                        inRuntimeInfo = true;
                        runtimeInfoDepth = reader.Depth;
                    }

                    break;
            }

            CheckAttributes(reader, layer, inRuntimeInfo, context);
        }
    }

    // IR v10+ layers say which opset defines them (version="opset8"); anything else is an extension's own op set.
    // IR v7 and older have no version attribute at all, so a missing one is not custom.
    private static void CheckLayerVersion(string? version, string layer, string type, ScanContext context)
    {
        if (version is not null && !StandardOpset().IsMatch(version))
        {
            context.Report(RuleIds.OpenVinoCustomLayer,
                $"Layer '{layer}' has type '{type}' from op set '{version}', not a standard opset: an extension library implements it.",
                null, $"{version}:{type}");
        }
    }

    private static void ReadWeightRange(XmlReader reader, string layer, List<(string, ulong, ulong)> weights)
    {
        if (ulong.TryParse(reader.GetAttribute("offset"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong offset)
            && ulong.TryParse(reader.GetAttribute("size"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong size))
        {
            weights.Add((layer, offset, size));
        }
    }

    private static void CheckAttributes(XmlReader reader, string layer, bool inRuntimeInfo, ScanContext context)
    {
        string element = reader.LocalName;
        while (reader.MoveToNextAttribute())
        {
            string name = reader.LocalName;
            string value = reader.Value;
            if (s_libraryAttributes.Contains(name, StringComparer.OrdinalIgnoreCase) || NativeLibrary().IsMatch(value))
            {
                context.Report(RuleIds.OpenVinoExtensionLibrary,
                    $"{(layer.Length > 0 ? $"Layer '{layer}'" : $"Element <{element}>")} names a native implementation: {name}=\"{Shorten(value)}\".",
                    null, $"{name}={Shorten(value)}");
            }

            if (inRuntimeInfo && value.Length > 0)
            {
                context.Analyze(new ContentFragment(value, $"rt_info.{element}.{name}", ContentKind.Metadata));
            }
        }

        reader.MoveToElement();
    }

    private static void CheckWeights(List<(string Layer, ulong Offset, ulong Size)> weights, ScanContext context)
    {
        // The .bin is a sibling on disk; inside an archive or a remote source there is no sibling to check here.
        if (context.Depth != 0 || !Path.IsPathRooted(context.Path) || !File.Exists(context.Path) || weights.Count == 0)
        {
            return;
        }

        string bin = Path.ChangeExtension(context.Path, ".bin");
        if (!File.Exists(bin))
        {
            context.Report(RuleIds.OpenVinoWeightsMissing,
                $"{weights.Count:N0} Const layers reference weights, but '{Path.GetFileName(bin)}' is not beside the IR.", null, Path.GetFileName(bin));
            return;
        }

        ulong binLength = (ulong)new FileInfo(bin).Length;
        foreach ((string layer, ulong offset, ulong size) in weights)
        {
            if (offset > binLength || size > binLength - offset)
            {
                context.Report(RuleIds.OpenVinoWeightsOutOfBounds,
                    $"Const layer '{layer}' reads {size:N0} bytes at offset {offset:N0}, past the {binLength:N0} bytes of '{Path.GetFileName(bin)}'.",
                    null, layer);
            }
        }
    }

    private static string Shorten(string value) => value.Length <= 200 ? value : value[..200] + "…";

    [GeneratedRegex(@"^opset\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex StandardOpset();

    [GeneratedRegex(@"\.(?:so(?:\.\d+)*|dll|dylib)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NativeLibrary();
}
