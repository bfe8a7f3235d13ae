namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of DVC pointer resolution: MA6350 (integrity), MA9035 (coverage).</summary>
internal static partial class RuleIds
{
    public const string DvcPathTraversal = "MA6350";
    public const string DvcOutputNotResolved = "MA9035";
}
