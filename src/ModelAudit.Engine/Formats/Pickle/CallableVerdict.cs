namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// What is known about an imported (module, name) before seeing how it is used: the denylist entry it matches (if
/// any) and the allowlist entry that covers it (if any), with the uses that entry permits. The grade follows from a use.
/// </summary>
internal readonly record struct CallableVerdict(DangerKind? Danger, string? MatchedEntry, string? Profile, GlobalUse AllowedUses)
{
    public static readonly CallableVerdict Unknown = new(null, null, null, GlobalUse.None);

    public static CallableVerdict Dangerous(DangerKind kind, string entry) => new(kind, entry, null, GlobalUse.None);

    public static CallableVerdict Allowed(string profile, GlobalUse uses = GlobalUse.Any) => new(null, null, profile, uses);

    /// <summary>True when an allowlist entry permits <paramref name="use"/> (a mere reference is permitted by any entry).</summary>
    public bool Permits(GlobalUse use) => Profile is not null && (use & ~AllowedUses) == 0;

    /// <summary>The grade of the name used as <paramref name="use"/>: allowed when the allowlist permits that use,
    /// else dangerous when the denylist names it, else unknown. The denylist is consulted for every use the
    /// allowlist does not cover, so an allowed-as-data name that is called is graded as the call it is.</summary>
    public CallableClass ClassFor(GlobalUse use) => Permits(use) ? CallableClass.Allowed : Danger is not null ? CallableClass.Dangerous : CallableClass.Unknown;
}
