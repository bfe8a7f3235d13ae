using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

/// <summary>Rules of weight analysis. Statistical signals are Info with their numbers: a trained layer can be unusual
/// for good reasons, so they are leads for review, not alarms. Values that no training produces (NaN, infinity) are
/// a Warning.</summary>
public static partial class RuleCatalog
{
    private const string CompareWeights = "Compare the tensor with the publisher's original checkpoint (hash, or the same statistics); if it differs, or there is no original, evaluate the model on inputs with and without suspected triggers before use.";

    static partial void AddWeightRules(List<ModelRule> rules) => rules.AddRange(new[]
    {
        Rule(WeightNonFinite, "NaN or infinite weights", Severity.Warning, FindingCategory.Weights,
            "A floating-point tensor holds NaN or infinite values (for ggml quantised types: a block whose scale is NaN or infinite). Training does not save such weights in a working model: the file is corrupt, was damaged in conversion, or was altered so that some inputs produce NaN outputs, a known way to disable a model or a safety classifier.",
            "Obtain the checkpoint again from its publisher and compare hashes; do not deploy a model whose weights are not finite."),
        Rule(WeightOutlierNeurons, "Output neurons with abnormal weight norms", Severity.Info, FindingCategory.Weights,
            "In an output (classifier, head) layer, one or a few neurons have an L2 norm far above the others' by a robust z-score (median and MAD) whose threshold grows with the layer's size. Backdoors planted by weight editing or poisoning often enlarge the weights of the target class; a trained layer can also be unbalanced, so this is a lead, not a verdict.",
            CompareWeights),
        Rule(WeightDissimilarNeuron, "Output neuron unlike all others", Severity.Info, FindingCategory.Weights,
            "In an output layer whose neurons resemble one another, a neuron's largest cosine similarity to any other neuron is far below the typical one (compared on a bounded sample of neurons). A neuron rewritten to respond to a trigger points in a direction of its own.",
            CompareWeights),
        Rule(WeightExtremeValues, "Extreme weights concentrated in a few neurons", Severity.Info, FindingCategory.Weights,
            "Single weights lie many standard deviations outside the layer's distribution (beyond the largest value expected among that many weights) and all of them sit in one to three output neurons. A trigger planted by editing a few weights looks like this; a layer's natural heavy tail is spread over many neurons and is not reported.",
            CompareWeights),
        Rule(WeightAnalysisIncomplete, "Weight analysis incomplete", Severity.Info, FindingCategory.Weights,
            "Some tensors were not analysed: their declared regions overlap so much that reading them would cost more than a budget of the file's own size, or too many overlap at once. The format's own checks report the layout; what a loader runs was scanned in full, so coverage is not affected.",
            "Review the tensor layout findings for this file."),
    });
}
