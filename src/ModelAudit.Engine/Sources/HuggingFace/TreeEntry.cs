using System.Text.Json;
using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Sources.HuggingFace;

/// <summary>A file in a Hub tree listing: its path, size, git oid and, for an LFS file, the SHA-256 the Hub publishes.</summary>
internal sealed record TreeEntry(string Path, long Size, string? Oid, string? LfsSha256)
{
    /// <summary>The files of one listing page (a JSON array of <c>{type, path, size, oid, lfs: {oid, size}}</c>);
    /// folders are left out (a recursive listing names their files).</summary>
    public static IEnumerable<TreeEntry> ParsePage(byte[] json, string where)
    {
        using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new RemoteException(null, $"{where} did not answer with a file listing (a JSON array).");
        }

        var files = new List<TreeEntry>();
        foreach (JsonElement entry in document.RootElement.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object || String(entry, "type") != "file")
            {
                continue;
            }

            string path = String(entry, "path") ?? throw new RemoteException(null, $"{where} listed a file without a path.");
            if (path.Split('/').Any(s => s is "" or "." or ".."))
            {
                throw new RemoteException(null, $"{where} listed a file path that leaves the repository: '{path}'.");
            }

            long size = entry.TryGetProperty("size", out JsonElement s) && s.TryGetInt64(out long n) && n >= 0
                ? n : throw new RemoteException(null, $"{where} listed '{path}' without a valid size.");
            string? sha256 = null;
            if (entry.TryGetProperty("lfs", out JsonElement lfs) && lfs.ValueKind == JsonValueKind.Object)
            {
                sha256 = String(lfs, "oid") ?? String(lfs, "sha256");
                if (sha256 is null || sha256.Length != 64 || !sha256.All(Uri.IsHexDigit))
                {
                    throw new RemoteException(null, $"{where} listed LFS file '{path}' without a SHA-256 oid.");
                }

                sha256 = sha256.ToLowerInvariant();
            }

            files.Add(new TreeEntry(path, size, String(entry, "oid"), sha256));
        }

        return files;
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
