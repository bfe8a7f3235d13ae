using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>
/// Finds chat templates in JSON text with a forward-only <see cref="Utf8JsonReader"/>: every <c>chat_template</c>
/// key at any depth (tokenizer_config.json, chat_template.json, processor configs), as a string or as a list of
/// <c>{"name", "template"}</c> objects. Keys are compared after JSON unescaping, so <c>"chat\u005ftemplate"</c>
/// is found too. Text arrives in chunks (<see cref="Formats.Text.TextScanner"/>): the first chunk is read as a
/// document; later chunks start mid-document, so there each key is located first and its value read on its own.
/// </summary>
internal static partial class ChatTemplateJson
{
    private const string Key = "chat_template";

    // Deeper JSON is not a configuration file; the reader stops there (as it does for malformed JSON).
    private const int MaxJsonDepth = 256;

    // "\u00XX" spellings of the letters of "chat_template": a key written with escapes has at least one of them.
    private static readonly string[] s_escapedKeyLetters = "chat_emplt".Distinct().Select(c => $"\\u{(int)c:x4}").ToArray();

    /// <summary>Whether the text can hold a chat_template key at all: spelled as is, or with a \u escape of one of
    /// its letters. A tokenizer vocabulary full of "\u0120" escapes is then not parsed for nothing.</summary>
    public static bool MayHoldKey(string text) =>
        text.Contains(Key, StringComparison.Ordinal) || s_escapedKeyLetters.Any(e => text.Contains(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>Templates in a chunk that starts the document. <paramref name="cutAt"/> is where the key of a
    /// template the chunk ends inside starts (that template is not seen whole), or -1.</summary>
    public static List<ChatTemplateSource> FromDocument(string text, out int cutAt)
    {
        var found = new List<ChatTemplateSource>();
        cutAt = -1;
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(utf8, isFinalBlock: false, new JsonReaderState(Options));
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(Key))
                {
                    // The reader counts bytes; owners and offsets count characters.
                    int keyIndex = Encoding.UTF8.GetCharCount(utf8, 0, checked((int)reader.TokenStartIndex));
                    if (!ReadValue(ref reader, found, keyIndex))
                    {
                        cutAt = keyIndex;
                        break;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (or not any more): what was found before the error is kept; the loader would refuse the file.
        }

        return found;
    }

    /// <summary>Templates in a chunk that starts in the middle of a document; <paramref name="cutAt"/> as above.</summary>
    public static List<ChatTemplateSource> FromFragment(string text, out int cutAt)
    {
        var found = new List<ChatTemplateSource>();
        cutAt = -1;
        foreach (Match match in PropertyName().Matches(text))
        {
            // Decoding is needed only for a key spelled with escapes; most keys (a vocabulary's) are compared as written.
            string raw = match.Groups[1].Value;
            if (raw != Key && !(raw.Contains('\\') && DecodedKey(raw) == Key))
            {
                continue;
            }

            byte[] utf8 = Encoding.UTF8.GetBytes(text[(match.Index + match.Length)..]);
            var reader = new Utf8JsonReader(utf8, isFinalBlock: false, new JsonReaderState(Options));
            try
            {
                if (!ReadValue(ref reader, found, match.Index))
                {
                    cutAt = match.Index;
                }
            }
            catch (JsonException)
            {
            }
        }

        return found;
    }

    private static JsonReaderOptions Options => new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = MaxJsonDepth };

    private static string? DecodedKey(string raw)
    {
        try
        {
            return JsonSerializer.Deserialize<string>("\"" + raw + "\"");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Reads the value after a chat_template key; false when the text ends inside it.
    private static bool ReadValue(ref Utf8JsonReader reader, List<ChatTemplateSource> found, int keyIndex)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            found.Add(new ChatTemplateSource(Key, reader.GetString()!, keyIndex));
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return true; // null or another shape: nothing a loader would render
        }

        int arrayDepth = reader.CurrentDepth;
        int index = 0;
        string? name = null;
        string? template = null;
        string? property = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.EndArray when reader.CurrentDepth == arrayDepth:
                    return true;
                case JsonTokenType.StartObject when reader.CurrentDepth == arrayDepth + 1:
                    name = template = property = null;
                    break;
                case JsonTokenType.PropertyName when reader.CurrentDepth == arrayDepth + 2:
                    property = reader.GetString();
                    break;
                case JsonTokenType.String when reader.CurrentDepth == arrayDepth + 2:
                    if (property == "name")
                    {
                        name = reader.GetString();
                    }
                    else if (property == "template")
                    {
                        template = reader.GetString();
                    }

                    break;
                case JsonTokenType.String when reader.CurrentDepth == arrayDepth + 1:
                    found.Add(new ChatTemplateSource($"{Key}[{index}]", reader.GetString()!, keyIndex));
                    index++;
                    break;
                case JsonTokenType.EndObject when reader.CurrentDepth == arrayDepth + 1:
                    if (template is not null)
                    {
                        found.Add(new ChatTemplateSource($"{Key}[{name ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture)}]", template, keyIndex));
                    }

                    index++;
                    break;
            }
        }

        return false;
    }

    // A JSON member name followed by its colon; the key itself is compared after unescaping.
    [GeneratedRegex(@"""((?:[^""\\\r\n]|\\.){1,64})""\s*:", RegexOptions.CultureInvariant)]
    private static partial Regex PropertyName();
}
