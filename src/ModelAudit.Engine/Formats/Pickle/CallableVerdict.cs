namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>How an imported (module, name) is graded.</summary>
internal readonly record struct CallableVerdict(CallableClass Class, DangerKind? Danger, string? Profile, string? MatchedEntry)
{
    public static CallableVerdict Allowed(string profile) => new(CallableClass.Allowed, null, profile, null);

    public static CallableVerdict Dangerous(DangerKind kind, string entry) => new(CallableClass.Dangerous, kind, null, entry);

    public static readonly CallableVerdict Unknown = new(CallableClass.Unknown, null, null, null);
}
