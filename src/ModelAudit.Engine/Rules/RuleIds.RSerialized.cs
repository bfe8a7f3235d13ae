namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of R's serialization format (readRDS, load): MA1190–MA1199, MA3190–MA3199.</summary>
internal static partial class RuleIds
{
    // 1xxx code execution
    public const string RUnevaluatedPromise = "MA1190";
    public const string RActiveBinding = "MA1191";
    public const string RExecutionInFunction = "MA1192";
    public const string RExecutionInCallObject = "MA1193";
    public const string RStartupHook = "MA1194";
    public const string RPromise = "MA1195";
    public const string RPlainActiveBinding = "MA1196";
    public const string RCodeFromStrings = "MA1197";

    // 3xxx framework operations
    public const string RNetworkCall = "MA3190";
    public const string RNamespaceLoad = "MA3191";
    public const string RAltrepClass = "MA3192";
}
