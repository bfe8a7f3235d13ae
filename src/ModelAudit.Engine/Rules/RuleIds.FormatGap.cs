namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of the format-gap work (sibling data files, TensorFlow checkpoints, TensorRT, Orbax):
/// MA3160–MA3179, MA6370–MA6379, MA9065–MA9069.</summary>
internal static partial class RuleIds
{
    // TensorRT plans take the bottom of each range (MA3160 up, MA9065); Orbax takes the top, so the two never collide.
    public const string TensorRtNativeCode = "MA3160";
    public const string TensorRtPluginNames = "MA3161";
    public const string TensorRtLibraryNames = "MA3162";
    public const string TensorRtPlanUnreadable = "MA9065";

    // 6xxx integrity
    public const string CompanionDataFile = "MA6370";
    public const string CheckpointEntryInvalid = "MA6371";
    public const string CheckpointShardMissing = "MA6372";
    public const string SkopsJoblibFallback = "MA6373";
    public const string SkopsJoblibModel = "MA6374";

    // Orbax / OCDBT checkpoints take the top of each range (MA3179, MA6379 down, MA9069) so the TensorRT work can
    // take the bottom without the two colliding.
    public const string OrbaxPicklePayload = "MA3179";
    public const string OcdbtHeaderInvalid = "MA6379";
    public const string OcdbtChecksumMismatch = "MA6378";
    public const string OcdbtReferenceInvalid = "MA6377";
    public const string OcdbtTreeNotFollowed = "MA9069";
}
