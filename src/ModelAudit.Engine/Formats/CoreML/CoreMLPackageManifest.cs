using System.Text.Json;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.CoreML;

/// <summary>
/// Checks an .mlpackage's Manifest.json: every item's <c>path</c> is resolved under the package's Data folder by
/// Core ML, so a path that is absolute or climbs out of it makes the package load a file it does not ship.
/// </summary>
internal static class CoreMLPackageManifest
{
    // A manifest lists a model and its weights; anything near this size is not a manifest.
    private const int MaxManifestBytes = 1 << 20;

    public static bool LooksLikeManifest(string name, ReadOnlySpan<byte> head) =>
        Path.GetFileName(name).Equals("Manifest.json", StringComparison.OrdinalIgnoreCase)
        && head.IndexOf("\"itemInfoEntries\""u8) >= 0;

    public static void Check(Stream stream, ScanContext context)
    {
        byte[] buffer = new byte[MaxManifestBytes + 1];
        int n = stream.ReadAtMost(buffer);
        if (n > MaxManifestBytes)
        {
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxHeaderBytes), $"The manifest is larger than {MaxManifestBytes:N0} bytes.");
        }

        JsonDocument document;
        try
        {
            document = Utf8Json.Parse(buffer.AsMemory(0, n), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException($"The package manifest is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("itemInfoEntries", out JsonElement items) || items.ValueKind != JsonValueKind.Object)
            {
                throw new ModelFormatException("The package manifest has no itemInfoEntries object.");
            }

            foreach (JsonProperty item in items.EnumerateObject())
            {
                if (item.Value.ValueKind == JsonValueKind.Object && item.Value.TryGetProperty("path", out JsonElement path)
                    && path.ValueKind == JsonValueKind.String && path.GetString() is { } p && ModelRelativePath.Classify(p) != LocationEscape.None)
                {
                    context.Report(RuleIds.CoreMLPathEscape,
                        $"Package item '{item.Name}' has path '{p}', which leaves the package's Data folder.", null, p);
                }
            }
        }
    }
}
