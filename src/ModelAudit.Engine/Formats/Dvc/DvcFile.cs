using System.Globalization;
using System.Text.RegularExpressions;
using ModelAudit.Engine.Analyzers.Configuration;

namespace ModelAudit.Engine.Formats.Dvc;

/// <summary>
/// The outputs of a <c>.dvc</c> pointer (<c>outs: [{md5, size, hash, path}]</c>) or a <c>dvc.lock</c>
/// (<c>stages: {name: {outs: [...]}}</c>), read with the bounded YAML walk (events only, nothing constructed).
/// Dependencies (<c>deps</c>) are inputs, not outputs, and are not followed.
/// </summary>
internal static partial class DvcFile
{
    /// <summary>True for a file name DVC reads as a pointer or lock file.</summary>
    public static bool IsDvcName(string name) =>
        name.EndsWith(".dvc", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "dvc.lock", StringComparison.OrdinalIgnoreCase);

    /// <summary>The outputs named in <paramref name="text"/>; an output without both a path and an md5 is left out
    /// (DVC writes both for every output it caches).</summary>
    public static IReadOnlyList<DvcOutput> Outputs(string text, out string? error)
    {
        YamlWalk walk = YamlWalk.Of(text);
        error = walk.Error;
        var fields = new SortedDictionary<string, Dictionary<string, (string Value, long Offset)>>(StringComparer.Ordinal);
        foreach (var (path, value, offset) in walk.Scalars)
        {
            Match match = OutputField().Match(path);
            if (match.Success)
            {
                string key = match.Groups["out"].Value;
                if (!fields.TryGetValue(key, out var entry))
                {
                    fields[key] = entry = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
                }

                entry.TryAdd(match.Groups["field"].Value, (value, offset));
            }
        }

        var outputs = new List<DvcOutput>();
        foreach (var entry in fields.Values)
        {
            if (entry.TryGetValue("path", out var path) && entry.TryGetValue("md5", out var md5))
            {
                long? size = entry.TryGetValue("size", out var s) && long.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : null;
                bool dvc3 = entry.TryGetValue("hash", out var hash) && hash.Value == "md5";
                outputs.Add(new DvcOutput(path.Value, md5.Value.Trim().ToLowerInvariant(), size, dvc3, path.Offset));
            }
        }

        return outputs;
    }

    // outs.[0].md5 in a .dvc file; stages.<name>.outs.[0].md5 in dvc.lock.
    [GeneratedRegex(@"^(?<out>(?:stages\.[^.]+\.)?outs\.\[\d+\])\.(?<field>md5|path|size|hash)$", RegexOptions.CultureInvariant)]
    private static partial Regex OutputField();
}
