using System.Text.Json;
using System.Text.Unicode;

namespace ModelAudit.Engine.IO;

/// <summary>
/// JSON parsed from bytes, as strictly as the loaders read it. <see cref="JsonDocument"/> checks UTF-8 only when a
/// string is taken out of it, so a header with one bad byte in a name parses and then throws
/// <see cref="InvalidOperationException"/> mid-walk; Python's json, serde_json and safetensors reject such bytes up
/// front, and so does this, with the <see cref="JsonException"/> every caller already handles.
/// </summary>
internal static class Utf8Json
{
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8, JsonDocumentOptions options)
    {
        if (!Utf8.IsValid(utf8.Span))
        {
            throw new JsonException("the text is not valid UTF-8");
        }

        return JsonDocument.Parse(utf8, options);
    }
}
