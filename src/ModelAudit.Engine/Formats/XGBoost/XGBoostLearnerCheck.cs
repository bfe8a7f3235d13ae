using System.Globalization;
using System.Text.Json;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.XGBoost;

/// <summary>The structural checks of one XGBoost learner object (model.schema), reported as MA6174; its
/// attributes and feature names go to the analyzers, and an attribute holding a base64 pickle is scanned as one.</summary>
internal sealed class XGBoostLearnerCheck
{
    // Per-node arrays of a tree; each must hold num_nodes entries (base_weights may hold more for vector leaves).
    private static readonly string[] s_nodeArrays = { "left_children", "right_children", "parents", "split_indices", "split_conditions", "default_left" };

    private readonly ScanContext _context;

    public XGBoostLearnerCheck(ScanContext context) => _context = context;

    public void Run(JsonElement learner)
    {
        AnalyzeStrings(learner, "attributes");
        AnalyzeStrings(learner, "feature_names");

        long numFeature = -1;
        if (learner.TryGetProperty("learner_model_param", out JsonElement param) && param.ValueKind == JsonValueKind.Object)
        {
            numFeature = Integer(param, "num_feature") ?? -1;
        }
        else
        {
            Invalid("The learner has no learner_model_param.", "learner_model_param");
        }

        if (!learner.TryGetProperty("objective", out JsonElement objective) || !objective.TryGetProperty("name", out _))
        {
            Invalid("The learner has no objective name.", "objective");
        }

        if (!learner.TryGetProperty("gradient_booster", out JsonElement booster) || booster.ValueKind != JsonValueKind.Object)
        {
            Invalid("The learner has no gradient_booster.", "gradient_booster");
            return;
        }

        string? name = booster.TryGetProperty("name", out JsonElement n) ? n.GetString() : null;
        switch (name)
        {
            case "gbtree":
                CheckTrees(booster.TryGetProperty("model", out JsonElement model) ? model : default, numFeature);
                break;
            case "dart":
                CheckTrees(booster.TryGetProperty("gbtree", out JsonElement gbtree) && gbtree.TryGetProperty("model", out JsonElement dartModel)
                    ? dartModel : default, numFeature);
                break;
            case "gblinear":
                break;
            default:
                Invalid($"Unknown gradient booster '{name}'.", "gradient_booster.name");
                break;
        }
    }

    private void CheckTrees(JsonElement model, long numFeature)
    {
        if (model.ValueKind != JsonValueKind.Object || !model.TryGetProperty("trees", out JsonElement trees) || trees.ValueKind != JsonValueKind.Array)
        {
            Invalid("The tree booster has no trees array.", "gradient_booster.model.trees");
            return;
        }

        int count = trees.GetArrayLength();
        if (model.TryGetProperty("gbtree_model_param", out JsonElement p) && Integer(p, "num_trees") is { } declared && declared != count)
        {
            Invalid($"gbtree_model_param says {declared:N0} trees; the model has {count:N0}.", "num_trees");
        }

        if (model.TryGetProperty("tree_info", out JsonElement info) && info.ValueKind == JsonValueKind.Array && info.GetArrayLength() != count)
        {
            Invalid($"tree_info has {info.GetArrayLength():N0} entries for {count:N0} trees.", "tree_info");
        }

        int index = 0;
        foreach (JsonElement tree in trees.EnumerateArray())
        {
            _context.CancellationToken.ThrowIfCancellationRequested();
            CheckTree(tree, index++, numFeature);
        }
    }

    private void CheckTree(JsonElement tree, int index, long numFeature)
    {
        if (tree.ValueKind != JsonValueKind.Object || !tree.TryGetProperty("tree_param", out JsonElement param)
            || Integer(param, "num_nodes") is not { } nodes || nodes < 1)
        {
            Invalid($"Tree {index} has no tree_param.num_nodes.", $"trees[{index}]");
            return;
        }

        foreach (string array in s_nodeArrays)
        {
            int length = tree.TryGetProperty(array, out JsonElement a) && a.ValueKind == JsonValueKind.Array ? a.GetArrayLength() : -1;
            if (length != nodes)
            {
                Invalid($"Tree {index}: {array} has {(length < 0 ? "no array" : $"{length:N0} entries")} for {nodes:N0} nodes.", $"trees[{index}].{array}");
                return;
            }
        }

        // A child is -1 (leaf) or another node; a node is never its own child (a loop the predictor would follow forever).
        for (int side = 0; side < 2; side++)
        {
            string array = side == 0 ? "left_children" : "right_children";
            int node = 0;
            foreach (JsonElement child in tree.GetProperty(array).EnumerateArray())
            {
                if (!child.TryGetInt64(out long c) || c < -1 || c >= nodes || c == node || (c == 0 && node != 0))
                {
                    Invalid($"Tree {index}: node {node}'s {array[..^9]} child {child} is outside the tree.", $"trees[{index}].{array}[{node}]");
                    return;
                }

                node++;
            }
        }

        if (numFeature >= 0)
        {
            int node = 0;
            foreach (JsonElement feature in tree.GetProperty("split_indices").EnumerateArray())
            {
                if (!feature.TryGetInt64(out long f) || f < 0 || (f >= numFeature && numFeature > 0))
                {
                    Invalid($"Tree {index}: node {node} splits on feature {feature}, but the model has {numFeature:N0} features.", $"trees[{index}].split_indices[{node}]");
                    return;
                }

                node++;
            }
        }
    }

    private void AnalyzeStrings(JsonElement learner, string property)
    {
        if (!learner.TryGetProperty(property, out JsonElement value))
        {
            return;
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty entry in value.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.String)
                {
                    string text = entry.Value.GetString()!;
                    _context.Analyze(new ContentFragment(text, $"learner.{property}.{entry.Name}", ContentKind.ConfigValue));
                    ScanIfPickle(text, $"learner.{property}.{entry.Name}");
                }
            }
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            string joined = string.Join('\n', value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()));
            if (joined.Length > 0)
            {
                _context.Analyze(new ContentFragment(joined, $"learner.{property}", ContentKind.ConfigValue));
            }
        }
    }

    // Attributes are free text set by the user or a wrapper; a base64 pickle there is what a loader that
    // round-trips Python objects through them would unpickle.
    private void ScanIfPickle(string text, string keyPath) => ScanIfPickle(_context, text, keyPath);

    /// <summary>Scans an attribute value that is a base64-encoded pickle (shared with the legacy binary reader).</summary>
    internal static void ScanIfPickle(ScanContext context, string text, string keyPath)
    {
        if (text.Length < 8 || text.Length > context.Limits.MaxPickleInlineBytes || !text.StartsWith("gA", StringComparison.Ordinal))
        {
            return;
        }

        byte[] bytes = new byte[text.Length];
        if (Convert.TryFromBase64String(text, bytes, out int written) && written > 2 && bytes[0] == 0x80 && bytes[1] is >= 2 and <= 5)
        {
            context.Report(RuleIds.EmbeddedPickle, $"Attribute '{keyPath}' holds a base64-encoded pickle; it was scanned.", null, keyPath);
            context.ScanChild(keyPath, new MemoryStream(bytes, 0, written, writable: false), written);
        }
    }

    // XGBoost writes its parameters as strings ("num_nodes": "3"); older writers used numbers.
    private static long? Integer(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out long n) => n,
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long s) => s,
            _ => null,
        };
    }

    private void Invalid(string message, string evidence) => _context.Report(RuleIds.TreeModelStructureInvalid, message, null, evidence);
}
