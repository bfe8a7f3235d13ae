namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of the pickle and archive follow-ups (legacy joblib files, FRAME grading): MA1180–MA1189,
/// MA6360–MA6369, MA9040–MA9044.</summary>
internal static partial class RuleIds
{
    // 1xxx code execution
    public const string JoblibCompanionOutsideFolder = "MA1180";

    // 6xxx integrity
    public const string JoblibZfileLengthMismatch = "MA6360";
    public const string JoblibCompanionMissing = "MA6361";
    public const string JoblibCompanionUnverified = "MA6362";
}
