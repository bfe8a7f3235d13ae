using System.Text;
using System.Text.Json;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Containers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Keras;

/// <summary>
/// Keras configs outside an archive: model.to_json() files (loaded with model_from_json) and a SavedModel's
/// keras_metadata.pb (SavedMetadata: one JSON metadata string per saved layer). Both are read whole, up to
/// <see cref="ScanLimits.MaxHeaderBytes"/>, and judged by <see cref="KerasConfigInspector"/>. The configs of .keras
/// archives and H5 files are judged by their own readings.
/// </summary>
internal sealed class KerasScanner : IFormatScanner
{
    public const string MetadataFileName = "keras_metadata.pb";

    public ScannerInfo Info { get; } = new("keras", "Keras", new[] { KerasFormats.Json, KerasFormats.Metadata });

    public Reading? Sniff(SniffInput input)
    {
        if (Path.GetFileName(input.Name).Equals(MetadataFileName, StringComparison.OrdinalIgnoreCase)
            && KerasMetadataReader.LooksLikeSavedMetadata(input.Head))
        {
            return new Reading(KerasFormats.Metadata, this, ReadingStrength.Structural);
        }

        return LooksLikeKerasJson(input.Head) ? new Reading(KerasFormats.Json, this, ReadingStrength.Structural) : null;
    }

    // json.dumps of a Keras config starts with its class_name (Keras 2) or its module (Keras 3).
    private static bool LooksLikeKerasJson(ReadOnlySpan<byte> head)
    {
        ReadOnlySpan<byte> h = head.TrimStart(" \t\r\n"u8);
        if (h.IsEmpty || h[0] != (byte)'{')
        {
            return false;
        }

        h = h[1..].TrimStart(" \t\r\n"u8);
        return (h.StartsWith("\"class_name\""u8) || h.StartsWith("\"module\""u8)) && head.IndexOf("\"class_name\""u8) >= 0
            && head.IndexOf("\"config\""u8) >= 0;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        // A .keras archive's config.json waits for metadata.json's version; the archive layout judges it.
        if (input.Format == KerasFormats.Json && context.Frame.ArchiveLayout == KerasFormats.Archive.Name
            && input.Name == KerasArchiveLayout.ConfigMember)
        {
            return;
        }

        byte[]? content = ArchiveLayouts.ReadMember(input.Stream, input.Length, input.Name, context);
        if (content is null)
        {
            return;
        }

        if (input.Format == KerasFormats.Metadata)
        {
            ScanMetadata(content, context);
            return;
        }

        ScanJson(content, context);
    }

    private static void ScanJson(byte[] content, ScanContext context)
    {
        JsonDocument document;
        try
        {
            document = Utf8Json.Parse(content, new JsonDocumentOptions { MaxDepth = KerasConfigInspector.MaxDepth });
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException($"the Keras config is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            KerasVersion? version = document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("keras_version", out JsonElement v) && v.ValueKind == JsonValueKind.String
                ? KerasVersion.Parse(v.GetString())
                : null;
            new KerasConfigInspector(version, KerasSource.Json, context, "The Keras config").Inspect(document.RootElement);
        }
    }

    private static void ScanMetadata(byte[] content, ScanContext context)
    {
        List<(string Identifier, string Metadata)> nodes = KerasMetadataReader.ReadNodes(content);
        var documents = new List<JsonDocument>();
        try
        {
            KerasVersion? version = null;
            for (int i = 0; i < nodes.Count; i++)
            {
                context.Analyze(new ContentFragment(nodes[i].Metadata, $"nodes[{i}].metadata", ContentKind.Metadata));
                JsonDocument document;
                try
                {
                    document = JsonDocument.Parse(nodes[i].Metadata, new JsonDocumentOptions { MaxDepth = KerasConfigInspector.MaxDepth });
                }
                catch (JsonException ex)
                {
                    context.ReportInconclusive(RuleIds.ParseError, $"Node {i} ('{nodes[i].Identifier}') has metadata that is not JSON: {ex.Message}", null, nodes[i].Identifier);
                    continue;
                }

                documents.Add(document);
                if (version is null && document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("keras_version", out JsonElement v) && v.ValueKind == JsonValueKind.String)
                {
                    version = KerasVersion.Parse(v.GetString());
                }
            }

            var inspector = new KerasConfigInspector(version, KerasSource.SavedModel, context, MetadataFileName);
            foreach (JsonDocument document in documents)
            {
                inspector.Inspect(document.RootElement);
            }
        }
        finally
        {
            documents.ForEach(d => d.Dispose());
        }
    }
}
