using System.Globalization;
using System.Text.Json;

namespace ModelAudit.Engine.Reporting;

/// <summary>Small pieces the writers share: the writer settings, timestamps and names.</summary>
internal static class ReportJson
{
    // Indented for people reading reports and diffs; the default encoder escapes non-ASCII, so bytes do not depend on
    // the console's code page.
    public static Utf8JsonWriter Open(Stream output) => new(output, new JsonWriterOptions { Indented = true });

    /// <summary>ISO 8601 UTC to the second: finer precision only makes two reports of one scan differ more.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Lower(Severity severity) => severity.ToString().ToLowerInvariant();

    public static void StringArray(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    public static void OptionalString(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
