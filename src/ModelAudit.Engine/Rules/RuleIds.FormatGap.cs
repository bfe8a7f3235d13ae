namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of the format-gap work (sibling data files, TensorFlow checkpoints, TensorRT, Orbax):
/// MA3160–MA3179, MA6370–MA6379, MA9065–MA9069.</summary>
internal static partial class RuleIds
{
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
