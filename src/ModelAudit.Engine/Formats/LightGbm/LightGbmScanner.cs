using System.Globalization;
using System.Text;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.LightGbm;

/// <summary>
/// LightGBM text models (<c>Booster.save_model</c>): the header, then one <c>Tree=</c> block per tree with its
/// node arrays, then <c>end of trees</c>. Each tree's arrays must hold num_leaves − 1 internal nodes and
/// num_leaves leaves, with children and split features in range, and the tree count must match tree_sizes.
/// Read line by line with a bounded line length; the text itself also goes through the text scanner.
/// </summary>
internal sealed class LightGbmScanner : IFormatScanner
{
    // The longest line LightGBM writes is one array of a tree (a few bytes per leaf) or pandas_categorical;
    // 64 Mi characters covers trees of millions of leaves and bounds a hostile line.
    private const int MaxLineCharacters = 64 << 20;

    private static readonly string[] s_internalArrays = { "split_feature", "threshold", "decision_type", "left_child", "right_child" };

    public ScannerInfo Info { get; } = new("lightgbm", "LightGBM", new[] { LightGbmFormats.LightGbm });

    // The first line is "tree", the second "version=vN".
    public Reading? Sniff(SniffInput input)
    {
        ReadOnlySpan<byte> h = input.Head;
        return h.StartsWith("tree\nversion=v"u8) || h.StartsWith("tree\r\nversion=v"u8)
            ? new Reading(LightGbmFormats.LightGbm, this, ReadingStrength.Structural) : null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        using var reader = new StreamReader(input.Stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        Dictionary<string, string>? tree = null;
        int treeIndex = -1;
        int trees = 0;
        bool ended = false;
        var line = new StringBuilder();
        while (ReadLine(reader, line))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            string text = line.ToString().TrimEnd('\r');
            if (text.StartsWith("Tree=", StringComparison.Ordinal))
            {
                if (tree is not null)
                {
                    CheckTree(tree, treeIndex, header, context);
                }

                tree = new Dictionary<string, string>(StringComparer.Ordinal);
                treeIndex = int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : trees;
                trees++;
                continue;
            }

            if (text == "end of trees")
            {
                ended = true;
                break;
            }

            int eq = text.IndexOf('=');
            if (eq > 0)
            {
                (tree ?? header)[text[..eq]] = text[(eq + 1)..];
            }
        }

        if (tree is not null)
        {
            CheckTree(tree, treeIndex, header, context);
        }

        if (!ended)
        {
            context.Report(RuleIds.TreeModelStructureInvalid, "The model ends without 'end of trees' (truncated).", null, "end of trees");
        }

        if (header.TryGetValue("tree_sizes", out string? sizes) && Split(sizes).Length != trees)
        {
            context.Report(RuleIds.TreeModelStructureInvalid, $"tree_sizes lists {Split(sizes).Length:N0} trees; the model has {trees:N0}.", null, "tree_sizes");
        }
    }

    private static void CheckTree(Dictionary<string, string> tree, int index, Dictionary<string, string> header, ScanContext context)
    {
        if (!tree.TryGetValue("num_leaves", out string? leavesText) || !int.TryParse(leavesText, NumberStyles.None, CultureInfo.InvariantCulture, out int leaves) || leaves < 1)
        {
            Invalid(context, $"Tree {index} has no valid num_leaves.", $"Tree={index}");
            return;
        }

        if (!tree.TryGetValue("leaf_value", out string? leafValues) || Split(leafValues).Length != leaves)
        {
            Invalid(context, $"Tree {index}: leaf_value does not hold {leaves:N0} leaves.", $"Tree={index}.leaf_value");
            return;
        }

        if (leaves == 1)
        {
            return; // A single-leaf tree has no internal nodes and LightGBM writes no split arrays for it.
        }

        int internalNodes = leaves - 1;
        foreach (string array in s_internalArrays)
        {
            if (!tree.TryGetValue(array, out string? values) || Split(values).Length != internalNodes)
            {
                Invalid(context, $"Tree {index}: {array} does not hold {internalNodes:N0} internal nodes.", $"Tree={index}.{array}");
                return;
            }
        }

        // Children: a non-negative value is an internal node, ~leaf (−1 − leaf) a leaf; the root (0) is no one's child.
        foreach (string array in new[] { "left_child", "right_child" })
        {
            foreach (string value in Split(tree[array]))
            {
                if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int child)
                    || child == 0 || child >= internalNodes || (child < 0 && -1L - child >= leaves))
                {
                    Invalid(context, $"Tree {index}: {array} {value} is outside the tree.", $"Tree={index}.{array}");
                    return;
                }
            }
        }

        if (header.TryGetValue("max_feature_idx", out string? maxText) && int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out int maxFeature))
        {
            foreach (string value in Split(tree["split_feature"]))
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int feature) || feature > maxFeature)
                {
                    Invalid(context, $"Tree {index}: split feature {value} is past max_feature_idx {maxFeature}.", $"Tree={index}.split_feature");
                    return;
                }
            }
        }
    }

    private static string[] Split(string values) => values.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static bool ReadLine(StreamReader reader, StringBuilder line)
    {
        line.Clear();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c == '\n')
            {
                return true;
            }

            if (line.Length >= MaxLineCharacters)
            {
                throw new ScanLimitExceededException("LightGBM line length", $"A line of the model is longer than {MaxLineCharacters:N0} characters.");
            }

            line.Append((char)c);
        }

        return line.Length > 0;
    }

    private static void Invalid(ScanContext context, string message, string evidence) =>
        context.Report(RuleIds.TreeModelStructureInvalid, message, null, evidence);
}
