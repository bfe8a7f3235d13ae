namespace ModelAudit.Engine.Analyzers.Weights;

/// <summary>
/// Which tensors are a model's output layer by name: the layer a classification backdoor changes, because the
/// trigger must end up moving one class's logit. Names are split into tokens at '.', '_', '/', ':' and '-', so
/// "classifier.weight", "lm_head.weight", "fc.weight", "output.weight" (GGUF) and "cls/predictions" match while
/// "fcos" or "outputs_norm" do not. Biases and norms are vectors, not neurons, and never candidates.
/// </summary>
internal static class FinalLayerNames
{
    private static readonly HashSet<string> s_tokens = new(StringComparer.OrdinalIgnoreCase)
    {
        "classifier", "head", "fc", "final", "logits", "score", "output", "cls", "predictions", "prediction",
    };

    private static readonly HashSet<string> s_excluded = new(StringComparer.OrdinalIgnoreCase)
    {
        "bias", "norm", "ln", "layernorm", "layer_norm", "scale",
    };

    public static bool IsCandidate(string name)
    {
        bool named = false;
        foreach (string token in name.Split(new[] { '.', '_', '/', ':', '-' }, StringSplitOptions.RemoveEmptyEntries))
        {
            if (s_excluded.Contains(token))
            {
                return false;
            }

            named |= s_tokens.Contains(token);
        }

        return named;
    }
}
