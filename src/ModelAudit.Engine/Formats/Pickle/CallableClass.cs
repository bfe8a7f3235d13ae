namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>The three grades of an imported name.</summary>
internal enum CallableClass
{
    /// <summary>Exactly on a loader profile's allowlist.</summary>
    Allowed,

    /// <summary>Matches the denylist (after canonicalisation, on any dotted component).</summary>
    Dangerous,

    /// <summary>Neither: graded by what the pickle does with it.</summary>
    Unknown,
}
