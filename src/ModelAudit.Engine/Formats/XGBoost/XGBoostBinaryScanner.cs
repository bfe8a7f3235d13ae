using System.Buffers.Binary;
using System.Text;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.XGBoost;

/// <summary>
/// XGBoost's legacy binary model (learner.cc's binary LoadModel, written by <c>save_model</c> to a non-JSON name up
/// to 1.x): an optional "binf", LearnerModelParam (136 bytes), the objective and booster names (uint64 length +
/// bytes), for gbtree/dart GBTreeModelParam (160 bytes) and per tree TreeParam (148 bytes), its nodes (20 bytes:
/// parent, left, right, split index, value) and node statistics (16 bytes), the tree_info ints, dart's weights, and,
/// when the learner says so, attribute pairs and evaluation metric names. Every count is checked against the bytes
/// left before it is read; node children must be in the tree; attributes go to the analyzers, and a base64 pickle
/// in one is scanned as XGBoost's JSON attributes are. XGBoost runs no code from this format.
/// </summary>
internal sealed class XGBoostBinaryScanner : IFormatScanner
{
    private const int LearnerParamBytes = 136;
    private const int GbTreeParamBytes = 160;
    private const int TreeParamBytes = 148;
    private const int NodeBytes = 20;
    private const int NodeStatBytes = 16;
    private const int LinearParamBytes = 136;

    // Objective and booster names are short identifiers ("binary:logistic", "gbtree"); attributes are free text.
    private const int MaxNameBytes = 256;
    private const long MaxAttributes = 100_000;

    private static readonly string[] s_boosters = { "gbtree", "dart", "gblinear" };

    public ScannerInfo Info { get; } = new("xgboost-binary", "XGBoostBinary", new[] { XGBoostFormats.XGBoostBinary });

    // "binf" is the header save_model writes; files of XGBoost before 0.90 start with the parameters themselves, and
    // are taken only when the objective and booster names sit where the layout puts them.
    public Reading? Sniff(SniffInput input)
    {
        ReadOnlySpan<byte> h = input.Head;
        bool magic = h.StartsWith("binf"u8);
        return NamesAt(h, magic ? 4 : 0) ? new Reading(XGBoostFormats.XGBoostBinary, this, magic ? ReadingStrength.Structural : ReadingStrength.Plausible) : null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        var reader = new XGBoostBinaryReader(input.Stream, input.Length, context.CancellationToken);
        if (input.Head.AsSpan().StartsWith("binf"u8))
        {
            reader.Skip(4);
        }

        byte[] learner = reader.Bytes(LearnerParamBytes, "LearnerModelParam");
        bool attributes = BinaryPrimitives.ReadInt32LittleEndian(learner.AsSpan(12)) != 0;
        bool metrics = BinaryPrimitives.ReadInt32LittleEndian(learner.AsSpan(16)) != 0;
        string objective = reader.String(MaxNameBytes, "objective name");
        string booster = reader.String(MaxNameBytes, "booster name");
        context.Analyze(new ContentFragment(objective, "learner.objective", ContentKind.ConfigValue));
        switch (booster)
        {
            case "gbtree" or "dart":
                ReadTrees(reader, booster == "dart", context);
                break;
            case "gblinear":
                reader.Skip(LinearParamBytes);
                reader.Skip(checked(reader.Count(4, "linear weights") * 4));
                break;
            default:
                throw new ModelFormatException($"the booster '{Printable(booster)}' is none XGBoost loads ({string.Join(", ", s_boosters)})");
        }

        if (attributes)
        {
            long count = reader.Count(16, "attributes", MaxAttributes);
            for (long i = 0; i < count; i++)
            {
                string name = reader.String(context.Limits.MaxPickleInlineBytes, "attribute name");
                string value = reader.String(context.Limits.MaxPickleInlineBytes, "attribute value");
                string keyPath = $"learner.attributes.{name}";
                context.Analyze(new ContentFragment(value, keyPath, ContentKind.ConfigValue));
                XGBoostLearnerCheck.ScanIfPickle(context, value, keyPath);
            }
        }

        if (metrics)
        {
            long count = reader.Count(8, "evaluation metrics", MaxAttributes);
            for (long i = 0; i < count; i++)
            {
                reader.String(MaxNameBytes, "metric name");
            }
        }
    }

    private static void ReadTrees(XGBoostBinaryReader reader, bool dart, ScanContext context)
    {
        byte[] param = reader.Bytes(GbTreeParamBytes, "GBTreeModelParam");
        int trees = BinaryPrimitives.ReadInt32LittleEndian(param);
        if (trees < 0 || (long)trees * (TreeParamBytes + 4) > reader.Remaining)
        {
            throw new ModelFormatException($"GBTreeModelParam declares {trees:N0} trees, more than the {reader.Remaining:N0} bytes left hold");
        }

        byte[] node = new byte[NodeBytes];
        for (int t = 0; t < trees; t++)
        {
            byte[] tree = reader.Bytes(TreeParamBytes, $"TreeParam of tree {t}");
            int nodes = BinaryPrimitives.ReadInt32LittleEndian(tree.AsSpan(4));
            if (nodes < 1 || (long)nodes * (NodeBytes + NodeStatBytes) > reader.Remaining)
            {
                throw new ModelFormatException($"tree {t} declares {nodes:N0} nodes, which the {reader.Remaining:N0} bytes left cannot hold");
            }

            bool reported = false;
            for (int n = 0; n < nodes; n++)
            {
                reader.Fill(node, "tree node");
                int left = BinaryPrimitives.ReadInt32LittleEndian(node.AsSpan(4));
                int right = BinaryPrimitives.ReadInt32LittleEndian(node.AsSpan(8));
                // A leaf has no children (-1); an inner node's children are other nodes of the same tree. Once per
                // tree, and the walk goes on: the attributes after the trees are still read where they are.
                if (!reported && (left != -1 || right != -1) && (left <= 0 || left >= nodes || right <= 0 || right >= nodes))
                {
                    context.Report(RuleIds.TreeModelStructureInvalid,
                        $"Tree {t}, node {n} names children {left} and {right}, outside the tree's {nodes:N0} nodes: XGBoost would read other memory.",
                        null, $"tree {t} node {n}");
                    reported = true;
                }
            }

            reader.Skip((long)nodes * NodeStatBytes);
        }

        reader.Skip(4L * trees); // tree_info
        if (dart)
        {
            reader.Skip(checked(reader.Count(4, "dart weights") * 4));
        }
    }

    private static bool NamesAt(ReadOnlySpan<byte> h, int start)
    {
        int at = start + LearnerParamBytes;
        return Name(h, ref at) is { } objective && objective.Contains(':')
            && Name(h, ref at) is { } booster && s_boosters.Contains(booster);
    }

    private static string? Name(ReadOnlySpan<byte> h, ref int at)
    {
        if (h.Length < at + 8)
        {
            return null;
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(h[at..]);
        if (length is 0 or > 64 || h.Length < at + 8 + (int)length)
        {
            return null;
        }

        ReadOnlySpan<byte> name = h.Slice(at + 8, (int)length);
        if (name.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E))
        {
            return null;
        }

        at += 8 + (int)length;
        return Encoding.ASCII.GetString(name);
    }

    private static string Printable(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
