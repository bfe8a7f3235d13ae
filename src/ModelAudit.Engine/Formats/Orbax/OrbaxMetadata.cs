using System.Text.Json;
using System.Text.RegularExpressions;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Formats.Flax;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Orbax;

/// <summary>
/// Orbax's JSON metadata: the step's <c>_CHECKPOINT_METADATA</c>, an item's <c>_METADATA</c> (the PyTree's structure),
/// <c>_sharding</c>, <c>array_metadatas/process_N</c>, and the zarr metadata values stored in OCDBT
/// (<c>.zarray</c>, <c>zarr.json</c>, …). Every string goes to the analyzers; object-protocol keys are reported as in
/// Flax checkpoints; a string that is a base64 pickle, or a zarr codec that unpickles chunks, is a pickle in a format
/// that has no place for one.
/// </summary>
internal static partial class OrbaxMetadata
{
    // Orbax nests a PyTree's metadata a dozen levels deep; far deeper nesting is only there to exhaust a parser.
    private const int MaxDepth = 64;

    // A base64 string shorter than this decodes to fewer bytes than the smallest pickle that calls anything.
    private const int MinBase64Chars = 16;

    private static readonly string[] s_names = { "_CHECKPOINT_METADATA", "_METADATA", "_ROOT_METADATA", "_sharding" };

    /// <summary>An Orbax metadata file by its exact name, and a JSON object by its first byte.</summary>
    public static bool LooksLikeMetadata(string name, ReadOnlySpan<byte> head)
    {
        string file = Path.GetFileName(name);
        ReadOnlySpan<byte> text = head.TrimStart(" \t\r\n"u8);
        if (text.Length == 0 || text[0] != (byte)'{')
        {
            return false;
        }

        return s_names.Contains(file, StringComparer.Ordinal) || (ProcessFile().IsMatch(file) && head.IndexOf("\"array_metadatas\""u8) >= 0);
    }

    /// <summary>Whether an OCDBT key, or a file of the older per-array layout, names zarr metadata (JSON) rather
    /// than a chunk of array bytes.</summary>
    public static bool IsZarrMetadataKey(string key)
    {
        string last = key[(key.LastIndexOfAny(['/', '\\']) + 1)..];
        return last is ".zarray" or ".zattrs" or ".zgroup" or ".zmetadata" or "zarr.json";
    }

    /// <summary>A zarr metadata file (the layout Orbax wrote before OCDBT: one folder per array) that is a JSON object.</summary>
    public static bool LooksLikeZarrMetadata(string name, ReadOnlySpan<byte> head)
    {
        ReadOnlySpan<byte> text = head.TrimStart(" \t\r\n"u8);
        return IsZarrMetadataKey(name) && text.Length > 0 && text[0] == (byte)'{';
    }

    /// <summary>Checks a metadata file read whole (up to <see cref="ScanLimits.MaxHeaderBytes"/>). With
    /// <paramref name="zarr"/> (zarr metadata) a codec named <c>pickle</c> is reported: it unpickles the chunks; in
    /// Orbax's own JSON such a value is only a name.</summary>
    public static void CheckFile(Stream stream, long? length, bool zarr, ScanContext context)
    {
        int max = context.Limits.MaxHeaderBytes;
        if (length > max)
        {
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxHeaderBytes), $"The metadata file is {length:N0} bytes, more than {max:N0}.");
        }

        if (BoundedRead.All(stream, max) is not { } bytes)
        {
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxHeaderBytes), $"The metadata file is larger than {max:N0} bytes.");
        }

        JsonDocument document;
        try
        {
            document = Utf8Json.Parse(bytes, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException($"The Orbax metadata is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            Walk(document.RootElement, "", zarr, context);
        }
    }

    /// <summary>Checks a JSON value read from OCDBT (zarr metadata under <paramref name="key"/>); text that is not
    /// JSON still goes to the analyzers, since TensorStore would only fail to open that array.</summary>
    public static void CheckValue(byte[] json, string key, ScanContext context)
    {
        try
        {
            using JsonDocument document = Utf8Json.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
            Walk(document.RootElement, key, zarr: true, context);
        }
        catch (JsonException)
        {
            context.Analyze(new ContentFragment(System.Text.Encoding.UTF8.GetString(json), key, ContentKind.Metadata));
        }
    }

    // Recursion is bounded by the parser's MaxDepth.
    private static void Walk(JsonElement element, string path, bool zarr, ScanContext context)
    {
        context.CancellationToken.ThrowIfCancellationRequested();
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    string child = path.Length == 0 ? property.Name : path + "." + property.Name;
                    if (ObjectProtocolKeys.Contains(property.Name))
                    {
                        context.Report(RuleIds.CheckpointObjectProtocolKey,
                            $"Key '{property.Name}' at '{(path.Length == 0 ? "(root)" : path)}' belongs to Python's object protocol; Orbax metadata holds only trees of names, shapes and numbers.", null, child);
                    }

                    if (zarr && property.Name is "id" or "name" && property.Value.ValueKind == JsonValueKind.String
                        && property.Value.ValueEquals("pickle"))
                    {
                        context.Report(RuleIds.OrbaxPicklePayload,
                            $"'{child}' selects the pickle codec: zarr (numcodecs) unpickles this array's chunks when it is read.", null, child);
                    }

                    Walk(property.Value, child, zarr, context);
                }

                return;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Walk(item, $"{path}[{i++}]", zarr, context);
                }

                return;
            case JsonValueKind.String:
                string text = element.GetString()!;
                if (text.Length > 0)
                {
                    context.Analyze(new ContentFragment(text, path, ContentKind.Metadata));
                    Base64Pickle(text, path, context);
                }

                return;
        }
    }

    private static void Base64Pickle(string text, string path, ScanContext context)
    {
        if (text.Length < MinBase64Chars || text.Length / 4 * 3 > context.Limits.MaxPickleInlineBytes)
        {
            return;
        }

        byte[] bytes = new byte[text.Length / 4 * 3 + 3];
        if (Convert.TryFromBase64String(text, bytes, out int written) && written > 2 && bytes[0] == 0x80 && bytes[1] is >= 2 and <= 5)
        {
            context.Report(RuleIds.OrbaxPicklePayload, $"'{path}' holds a base64-encoded pickle; it was scanned.", null, path);
            context.ScanChild(path.Length > 0 ? path : "value", new MemoryStream(bytes, 0, written, writable: false), written);
        }
    }

    [GeneratedRegex(@"^process_\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex ProcessFile();
}
