namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of the remote sources (Hugging Face, S3, …): MA6340–MA6359, MA9030–MA9039.</summary>
internal static partial class RuleIds
{
    // 6xxx integrity
    public const string PublishedHashMismatch = "MA6340";
    public const string PublishedHashNotVerified = "MA6341";
}
