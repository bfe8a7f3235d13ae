namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of weight analysis (Analyzers/Weights): statistics read from the tensor bytes themselves.</summary>
internal static partial class RuleIds
{
    public const string WeightNonFinite = "MA8001";
    public const string WeightOutlierNeurons = "MA8002";
    public const string WeightDissimilarNeuron = "MA8003";
    public const string WeightExtremeValues = "MA8004";
    public const string WeightAnalysisIncomplete = "MA8005";
}
