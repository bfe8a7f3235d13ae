using System.Globalization;
using System.Text.Json;

namespace ModelAudit.Engine.Sources.Http;

/// <summary>
/// JSON answers of store APIs (listings, registry lookups), read with a size and depth bound so a hostile or broken
/// server cannot make a listing exhaust memory, and turned into <see cref="RemoteException"/>s that name the URL (never
/// its query) when they are not the JSON asked for.
/// </summary>
public static class RemoteJson
{
    // A listing page is about 200-500 bytes per object and stores page at 1,000 objects; 16 MiB is far above any
    // real page and bounds a hostile one.
    private const int MaxBytes = 16 << 20;

    // API answers nest a handful of levels; anything deeper is not the shape asked for.
    private const int MaxDepth = 16;

    /// <summary>GETs <paramref name="uri"/> and parses the answer, which must be a JSON object.</summary>
    public static JsonDocument Get(RemoteHttp http, Uri uri, CancellationToken cancellationToken = default)
    {
        using HttpResponseMessage response = http.Get(uri, null, cancellationToken);
        return Parse(http, response, uri);
    }

    /// <summary>POSTs <paramref name="json"/> to <paramref name="uri"/> and parses the answer, which must be a JSON object.</summary>
    public static JsonDocument Post(RemoteHttp http, Uri uri, string json, CancellationToken cancellationToken = default)
    {
        using HttpResponseMessage response = http.PostJson(uri, json, cancellationToken);
        return Parse(http, response, uri);
    }

    /// <summary>Reads and parses a response body under the size bound.</summary>
    public static JsonDocument Parse(RemoteHttp http, HttpResponseMessage response, Uri uri)
    {
        byte[] body = ReadBounded(http, response, uri);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException)
        {
            throw new RemoteException(response.StatusCode, $"{RemoteHttp.Display(uri)} did not answer with JSON.");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new RemoteException(response.StatusCode, $"{RemoteHttp.Display(uri)} did not answer with a JSON object.");
        }

        return document;
    }

    /// <summary>A string property, or null when it is missing or not a string.</summary>
    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    /// <summary>A non-negative integer property written as a number or as a decimal string (JSON APIs that follow
    /// protobuf's mapping write 64-bit integers as strings), or null.</summary>
    public static long? Int64(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }

        long n;
        bool ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out n),
            JsonValueKind.String => long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out n),
            _ => (n = 0) == 1,
        };
        return ok && n >= 0 ? n : null;
    }

    /// <summary>A boolean property written as a JSON boolean or as "true"/"false" (Artifactory writes both), or null.</summary>
    public static bool? Boolean(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out bool b) => b,
            _ => null,
        } : null;

    /// <summary>A lower-case SHA-256 hex digest, or null when <paramref name="text"/> is not one.</summary>
    public static string? Sha256(string? text) =>
        text is { Length: 64 } && text.All(Uri.IsHexDigit) ? text.ToLowerInvariant() : null;

    private static byte[] ReadBounded(RemoteHttp http, HttpResponseMessage response, Uri uri)
    {
        using Stream body = response.Content.ReadAsStream();
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int n;
        while ((n = body.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > MaxBytes)
            {
                throw new RemoteException(response.StatusCode, $"{RemoteHttp.Display(uri)} sent an answer over {MaxBytes:N0} bytes.");
            }

            buffer.Write(chunk, 0, n);
        }

        http.CountReceived(buffer.Length);
        return buffer.ToArray();
    }
}
