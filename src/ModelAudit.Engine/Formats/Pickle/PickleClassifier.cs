using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Grades an imported (module, name): exact allowlist first; then the denylist against the canonical full path
/// and against every dotted suffix of the attribute path (so <c>pathlib</c> + <c>os.system</c> and
/// <c>numpy</c> + <c>prod.os.system</c> are caught); dunder traversal is a resolver. Ordinal, case-exact, like CPython.
/// </summary>
internal static class PickleClassifier
{
    public static CallableVerdict Classify(string module, string name, ScanPolicy? policy = null)
    {
        string full = module + "." + name;
        if (policy is not null)
        {
            if (policy.DeniedGlobals.Contains(full) || policy.DeniedGlobals.Contains(PickleNames.Canonical(module) + "." + name))
            {
                return CallableVerdict.Dangerous(DangerKind.Execution, "policy: " + full);
            }

            if (policy.AllowedGlobals.Contains(full))
            {
                return CallableVerdict.Allowed("policy");
            }
        }

        if (PickleAllowlist.ProfileOf(module, name) is { } profile)
        {
            return CallableVerdict.Allowed(profile);
        }

        string canonicalModule = PickleNames.Canonical(module);
        if (canonicalModule != module && PickleAllowlist.ProfileOf(canonicalModule, name) is { } aliasProfile)
        {
            return CallableVerdict.Allowed(aliasProfile);
        }

        (DangerKind Kind, string Entry)? worst = null;
        void Consider((DangerKind Kind, string Entry)? match)
        {
            if (match is { } m && (worst is null || Rank(m.Kind) > Rank(worst.Value.Kind)))
            {
                worst = m;
            }
        }

        Consider(PickleDenylist.LongestMatch(canonicalModule + "." + name));
        string[] parts = name.Split('.');
        for (int i = 0; i < parts.Length; i++)
        {
            if (PickleDenylist.DangerousDunders.Contains(parts[i]))
            {
                Consider((DangerKind.Resolver, parts[i]));
            }

            // Attribute traversal (protocol 4 dotted names) can reach a module through another one's globals:
            // every dotted suffix is graded as a path of its own. A single plain name is covered by the full path.
            if (parts.Length > 1)
            {
                string suffix = string.Join('.', parts, i, parts.Length - i);
                Consider(PickleDenylist.LongestMatch(PickleNames.Canonical(suffix)));
            }
        }

        return worst is { } w ? CallableVerdict.Dangerous(w.Kind, w.Entry) : CallableVerdict.Unknown;
    }

    public static int Rank(DangerKind kind) => kind switch
    {
        DangerKind.Execution => 9,
        DangerKind.NestedDeserialization => 8,
        DangerKind.CodeObject => 7,
        DangerKind.Resolver => 6,
        DangerKind.ExtensionRegistry => 5,
        DangerKind.ScannerTampering => 4,
        DangerKind.Network => 3,
        DangerKind.FileSystem => 2,
        _ => 1,
    };

    public static bool IsCritical(DangerKind kind) => kind is not (DangerKind.FileSystem or DangerKind.Network or DangerKind.Process);
}
