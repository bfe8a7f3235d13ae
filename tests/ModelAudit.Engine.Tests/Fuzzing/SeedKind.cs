namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>What a seed is known to be before it is mutated, which decides the invariants its mutants are held to.</summary>
internal enum SeedKind
{
    /// <summary>Written by real tooling or a faithful builder; scans Clean unmutated.</summary>
    Benign,

    /// <summary>Reaches code (or another Warning/Critical rule) when loaded; scans Issues unmutated.</summary>
    Malicious,

    /// <summary>Broken on purpose or of no stated verdict: only the general invariants apply.</summary>
    Other,
}
