namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of the format-gap work (sibling data files, TensorFlow checkpoints, TensorRT, Orbax):
/// MA3160–MA3179, MA6370–MA6379, MA9065–MA9069.</summary>
internal static partial class RuleIds
{
    // TensorRT plans (upper end of each range, so the Orbax ids taken from the lower end never collide)
    public const string TensorRtNativeCode = "MA3170";
    public const string TensorRtPluginNames = "MA3171";
    public const string TensorRtLibraryNames = "MA3172";
    public const string TensorRtPlanUnreadable = "MA9068";

    // 6xxx integrity
    public const string CompanionDataFile = "MA6370";
    public const string CheckpointEntryInvalid = "MA6371";
    public const string CheckpointShardMissing = "MA6372";
    public const string SkopsJoblibFallback = "MA6373";
    public const string SkopsJoblibModel = "MA6374";
}
