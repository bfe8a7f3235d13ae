namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>One broken invariant: which, and what showed it.</summary>
internal sealed record FuzzViolation(string Invariant, string Detail)
{
    public override string ToString() => $"{Invariant}: {Detail}";
}
