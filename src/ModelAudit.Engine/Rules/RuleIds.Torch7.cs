namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of Torch7 serialization (torch.load in Lua Torch): MA1185–MA1189.</summary>
internal static partial class RuleIds
{
    // 1xxx code execution
    public const string Torch7Function = "MA1185";
    public const string Torch7FunctionRunsCommands = "MA1186";
}
