using System.Text.Json;

namespace ModelAudit.Engine.Tests.Differential;

/// <summary>
/// One case of the differential corpus: the file's bytes and what CPython did with them (tests/Differential/oracle.py):
/// <see cref="Py"/> and <see cref="C"/> are the pure-Python and C unpicklers' records, <see cref="Zip"/> zipfile's, or null.
/// </summary>
internal sealed record DifferentialCase(string Id, string Kind, string Gen, string Name, byte[] Data, JsonElement Py, JsonElement C, JsonElement? Zip)
{
    public static DifferentialCase Parse(string line)
    {
        using JsonDocument doc = JsonDocument.Parse(line);
        JsonElement root = doc.RootElement;
        JsonElement zip = root.GetProperty("zip");
        return new DifferentialCase(
            root.GetProperty("id").GetString()!,
            root.GetProperty("kind").GetString()!,
            root.GetProperty("gen").GetString()!,
            root.GetProperty("name").GetString()!,
            Convert.FromBase64String(root.GetProperty("data").GetString()!),
            root.GetProperty("py").Clone(),
            root.GetProperty("c").Clone(),
            zip.ValueKind == JsonValueKind.Null ? null : zip.Clone());
    }
}
