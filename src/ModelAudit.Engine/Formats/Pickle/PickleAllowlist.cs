namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Exact (module, qualified name) pairs that real ML libraries write, grouped in loader profiles (pytorch, numpy,
/// scipy, scikit-learn, joblib, xgboost, lightgbm, transformers, stdlib), each with the uses it permits. Generated rows
/// (tools/generate-pickle-data.py) permit every use — unless the denylist names the pair, in which case they permit
/// only being referenced as data (the denylist is checked first: a generated row cannot excuse calling numpy.memmap).
/// Hand-kept rows in allowlist-manual.txt may name their uses explicitly in a fourth column (call, construct, data),
/// each with a reason in the file.
/// </summary>
internal static class PickleAllowlist
{
    private static readonly Dictionary<string, (string Profile, GlobalUse Uses)> s_entries = Load();

    /// <summary>The profile and permitted uses of <paramref name="module"/>.<paramref name="name"/> exactly, or null.</summary>
    public static (string Profile, GlobalUse Uses)? Lookup(string module, string name) =>
        s_entries.TryGetValue(module + "\t" + name, out var entry) ? entry : null;

    /// <summary>Number of allowlisted pairs (for Get-ModelScanner and tests).</summary>
    public static int Count => s_entries.Count;

    /// <summary>Every pair with its profile and uses (for tests).</summary>
    internal static IEnumerable<(string Profile, string Module, string Name, GlobalUse Uses)> All =>
        s_entries.Select(e => (e.Value.Profile, e.Key.Split('\t')[0], e.Key.Split('\t')[1], e.Value.Uses));

    private static Dictionary<string, (string, GlobalUse)> Load()
    {
        var entries = new Dictionary<string, (string, GlobalUse)>(StringComparer.Ordinal);

        // Manual rows first: they decide the uses of pairs the generated list also has.
        foreach (string line in PickleNames.ReadResource("allowlist-manual.txt"))
        {
            string[] f = line.Split('\t');
            if (f.Length is 3 or 4)
            {
                GlobalUse uses = f.Length == 4 ? ParseUses(f[3], line) : DefaultUses(f[1], f[2]);
                entries.TryAdd(f[1] + "\t" + f[2], (f[0], uses));
            }
        }

        foreach (string line in PickleNames.ReadResource("allowlist-generated.txt"))
        {
            string[] f = line.Split('\t');
            if (f.Length == 3)
            {
                entries.TryAdd(f[1] + "\t" + f[2], (f[0], DefaultUses(f[1], f[2])));
            }
        }

        return entries;
    }

    private static GlobalUse DefaultUses(string module, string name) =>
        PickleDenylist.Match(module, name) is null ? GlobalUse.Any : GlobalUse.None;

    private static GlobalUse ParseUses(string text, string line)
    {
        GlobalUse uses = GlobalUse.None;
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            uses |= part switch
            {
                "call" => GlobalUse.Called | GlobalUse.Constructed,
                "construct" => GlobalUse.Constructed,
                "data" => GlobalUse.None,
                _ => throw new InvalidOperationException($"allowlist-manual.txt: unknown use '{part}' in '{line}'"),
            };
        }

        return uses;
    }
}
