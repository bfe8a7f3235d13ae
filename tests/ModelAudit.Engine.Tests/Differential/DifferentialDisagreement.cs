namespace ModelAudit.Engine.Tests.Differential;

/// <summary>One way the engine and CPython disagree on a case: Check is "a" (missed import), "b" (reached a call or
/// construction that is not allowlisted, yet Clean) or "c" (a readable zip member never dispatched, yet Clean).</summary>
internal sealed record DifferentialDisagreement(string Id, string Gen, string Check, string Detail)
{
    public override string ToString() => $"{Id} [{Gen}] ({Check}) {Detail}";
}
