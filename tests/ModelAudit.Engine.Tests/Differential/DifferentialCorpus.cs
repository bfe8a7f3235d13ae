using System.IO.Compression;
using System.Text;

namespace ModelAudit.Engine.Tests.Differential;

/// <summary>Reads a corpus written by <c>oracle.py generate</c> (gzip'd JSON lines) and the known-disagreements list.</summary>
internal static class DifferentialCorpus
{
    public static IEnumerable<DifferentialCase> Read(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.ASCII);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                yield return DifferentialCase.Parse(line);
            }
        }
    }

    /// <summary>Ids listed in known-disagreements.txt (one per line: "id  reason"; '#' starts a comment).</summary>
    public static HashSet<string> KnownDisagreements(string path)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return ids;
        }

        foreach (string raw in File.ReadLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            int space = line.IndexOfAny(new[] { ' ', '\t' });
            ids.Add(space < 0 ? line : line[..space]);
        }

        return ids;
    }
}
