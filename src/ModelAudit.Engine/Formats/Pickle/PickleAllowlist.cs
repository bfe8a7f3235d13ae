namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Exact (module, qualified name) pairs that real ML libraries write, grouped in loader profiles (pytorch, numpy,
/// scipy, scikit-learn, joblib, xgboost, lightgbm, transformers, stdlib). Generated rows come from the libraries
/// themselves (tools/generate-pickle-data.py); hand-kept rows are in allowlist-manual.txt.
/// </summary>
internal static class PickleAllowlist
{
    private static readonly Dictionary<string, string> s_entries = Load();

    /// <summary>The profile that allows <paramref name="module"/>.<paramref name="name"/> exactly, or null.</summary>
    public static string? ProfileOf(string module, string name) =>
        s_entries.TryGetValue(module + "\t" + name, out string? profile) ? profile : null;

    /// <summary>Number of allowlisted pairs (for Get-ModelScanner and tests).</summary>
    public static int Count => s_entries.Count;

    private static Dictionary<string, string> Load()
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in new[] { "allowlist-generated.txt", "allowlist-manual.txt" })
        {
            foreach (string line in PickleNames.ReadResource(file))
            {
                string[] f = line.Split('\t');
                if (f.Length == 3)
                {
                    entries.TryAdd(f[1] + "\t" + f[2], f[0]);
                }
            }
        }

        return entries;
    }
}
