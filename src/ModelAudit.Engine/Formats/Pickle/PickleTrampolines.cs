namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Allowlisted callables that call or construct their arguments (Data/trampolines.txt): copyreg's reconstructors and
/// PyTorch's subclass rebuilders. Allowing the trampoline must not allow what it reaches, so each argument position is
/// graded as the use the trampoline makes of it.
/// </summary>
internal static class PickleTrampolines
{
    private static readonly Dictionary<(string, string), (int Index, GlobalUse Use)[]> s_entries = Load();

    /// <summary>The argument uses of <paramref name="module"/>.<paramref name="name"/> when it is a trampoline.</summary>
    public static (int Index, GlobalUse Use)[]? Of(string module, string name) =>
        s_entries.TryGetValue((PickleNames.Canonical(module), name), out var uses) ? uses : null;

    private static Dictionary<(string, string), (int, GlobalUse)[]> Load()
    {
        var entries = new Dictionary<(string, string), (int, GlobalUse)[]>();
        foreach (string line in PickleNames.ReadResource("trampolines.txt"))
        {
            string[] f = line.Split('\t');
            entries[(f[0], f[1])] = f[2].Split(',').Select(part =>
            {
                string[] kv = part.Split('=');
                GlobalUse use = kv[1] == "call" ? GlobalUse.Called : kv[1] == "construct" ? GlobalUse.Constructed
                    : throw new InvalidOperationException($"trampolines.txt: unknown use in '{line}'");
                return (int.Parse(kv[0], System.Globalization.CultureInfo.InvariantCulture), use);
            }).ToArray();
        }

        return entries;
    }
}
