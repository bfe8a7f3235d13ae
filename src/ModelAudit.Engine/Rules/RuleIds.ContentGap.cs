namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of the content-analyzer follow-ups (issue 12): MA2013–MA2019, MA4006–MA4019, MA5004–MA5009,
/// MA7009–MA7019.</summary>
internal static partial class RuleIds
{
    // 7xxx templates and configuration
    public const string YamlCustomTag = "MA7009";
}
