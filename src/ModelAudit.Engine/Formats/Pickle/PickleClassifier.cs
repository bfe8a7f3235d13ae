using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// What is known about an imported (module, name): the organisation's policy first (denied wins, then explicitly
/// allowed), then the built-in denylist, then the exact allowlist with the uses it permits (also under the module's
/// canonical alias). The grade itself is decided per use by <see cref="CallableVerdict.ClassFor"/>.
/// </summary>
internal static class PickleClassifier
{
    public static CallableVerdict Classify(string module, string name, ScanPolicy? policy = null)
    {
        string full = module + "." + name;
        string canonicalModule = PickleNames.Canonical(module);
        if (policy is not null)
        {
            if (policy.DeniedGlobals.Contains(full) || policy.DeniedGlobals.Contains(canonicalModule + "." + name))
            {
                return CallableVerdict.Dangerous(DangerKind.Execution, "policy: " + full);
            }

            if (policy.AllowedGlobals.Contains(full))
            {
                return CallableVerdict.Allowed("policy");
            }
        }

        var danger = PickleDenylist.Match(module, name);
        var allowed = PickleAllowlist.Lookup(module, name)
            ?? (canonicalModule != module ? PickleAllowlist.Lookup(canonicalModule, name) : null);
        return new CallableVerdict(danger?.Kind, danger?.Entry, allowed?.Profile, allowed?.Uses ?? GlobalUse.None);
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
