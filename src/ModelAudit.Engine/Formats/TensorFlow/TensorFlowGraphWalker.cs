using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.TensorFlow;

/// <summary>
/// One pass over a TensorFlow graph file (field numbers from saved_model.proto, meta_graph.proto, graph.proto,
/// function.proto, node_def.proto, attr_value.proto). Main-graph checkpoint ops are judged once the MetaGraphDef's
/// <c>saver_def</c> (serialized after the graph) names the saver's scope.
/// </summary>
internal sealed class TensorFlowGraphWalker
{
    // Node, op and function names are identifiers; longer ones are cut (they only appear in messages).
    private const int MaxNameBytes = 4096;

    // String attributes kept for judgement and the analyzers; longer ones are binary constants, not configuration.
    private const int MaxAttrBytes = 64 * 1024;

    // Distinct (rule, op, function) findings aggregated; beyond this, hits are still counted in the first ones.
    private const int MaxDistinctHits = 10_000;

    private readonly ProtoReader _reader;
    private readonly ScanContext _context;
    private readonly Dictionary<(string Rule, string Op, string? Function), Hit> _hits = new();
    private readonly List<TensorFlowNode> _mainGraphCheckpointOps = new();

    public TensorFlowGraphWalker(ProtoReader reader, ScanContext context)
    {
        _reader = reader;
        _context = context;
    }

    public void WalkSavedModel()
    {
        bool sawMetaGraph = false;
        while (_reader.Next())
        {
            if (_reader.Field == 2 && _reader.Wire == ProtoWireType.LengthDelimited)
            {
                sawMetaGraph = true;
                long token = _reader.BeginMessage();
                WalkMetaGraph();
                _reader.EndMessage(token);
            }
            else
            {
                _reader.SkipField();
            }
        }

        if (!sawMetaGraph)
        {
            throw new ModelFormatException("The SavedModel has no meta graph.", 0);
        }

        ReportHits();
    }

    public void WalkGraphDefFile()
    {
        WalkGraphDef();
        ResolveCheckpointOps(Array.Empty<string>());
        ReportHits();
    }

    /// <summary>Walks a MetaGraphDef (the whole file for a .meta, one entry of a SavedModel otherwise).</summary>
    public void WalkMetaGraph()
    {
        var saverScopes = new List<string>();
        bool topLevel = _reader.Depth == 0;
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (1, ProtoWireType.LengthDelimited):
                    _reader.InMessage(WalkMetaInfo);
                    break;
                case (2, ProtoWireType.LengthDelimited):
                    _reader.InMessage(WalkGraphDef);
                    break;
                case (3, ProtoWireType.LengthDelimited):
                    _reader.InMessage(() => ReadSaverScopes(saverScopes));
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }

        ResolveCheckpointOps(saverScopes);
        if (topLevel)
        {
            ReportHits();
        }
    }

    private void WalkMetaInfo()
    {
        while (_reader.Next())
        {
            if (_reader.Field is 5 or 6 && _reader.Wire == ProtoWireType.LengthDelimited)
            {
                long at = _reader.TagOffset;
                string key = _reader.Field == 5 ? "meta_info_def.tensorflow_version" : "meta_info_def.tensorflow_git_version";
                _context.Analyze(new ContentFragment(_reader.ReadString(MaxNameBytes), key, ContentKind.Metadata, at));
            }
            else
            {
                _reader.SkipField();
            }
        }
    }

    // SaverDef: filename_tensor_name = 1, save_tensor_name = 2, restore_op_name = 3. The scope is what precedes the
    // last '/', e.g. "save/" for tf.compat.v1.train.Saver's "save/restore_all".
    private void ReadSaverScopes(List<string> scopes)
    {
        while (_reader.Next())
        {
            if (_reader.Field is 1 or 2 or 3 && _reader.Wire == ProtoWireType.LengthDelimited)
            {
                string name = _reader.ReadString(MaxNameBytes);
                int slash = name.LastIndexOf('/');
                if (slash > 0)
                {
                    scopes.Add(name[..(slash + 1)]);
                }
            }
            else
            {
                _reader.SkipField();
            }
        }
    }

    private void WalkGraphDef()
    {
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (1, ProtoWireType.LengthDelimited):
                    JudgeNode(ReadNodeMessage(null));
                    break;
                case (2, ProtoWireType.LengthDelimited):
                    _reader.InMessage(WalkLibrary);
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }
    }

    private void WalkLibrary()
    {
        while (_reader.Next())
        {
            if (_reader.Field == 1 && _reader.Wire == ProtoWireType.LengthDelimited)
            {
                _reader.InMessage(WalkFunction);
            }
            else
            {
                _reader.SkipField();
            }
        }
    }

    // FunctionDef: signature (OpDef, name = 1) = 1, node_def = 3. The signature comes first on the wire.
    private void WalkFunction()
    {
        string function = "";
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (1, ProtoWireType.LengthDelimited):
                    long token = _reader.BeginMessage();
                    while (_reader.Next())
                    {
                        if (_reader.Field == 1 && _reader.Wire == ProtoWireType.LengthDelimited)
                        {
                            function = _reader.ReadString(MaxNameBytes);
                        }
                        else
                        {
                            _reader.SkipField();
                        }
                    }

                    _reader.EndMessage(token);
                    break;
                case (3, ProtoWireType.LengthDelimited):
                    JudgeNode(ReadNodeMessage(function));
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }
    }

    private TensorFlowNode ReadNodeMessage(string? function)
    {
        long at = _reader.TagOffset;
        long token = _reader.BeginMessage();
        string name = "", op = "";
        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (1, ProtoWireType.LengthDelimited):
                    name = _reader.ReadString(MaxNameBytes);
                    break;
                case (2, ProtoWireType.LengthDelimited):
                    op = _reader.ReadString(MaxNameBytes);
                    break;
                case (5, ProtoWireType.LengthDelimited):
                    _reader.InMessage(() => ReadAttr(name, strings));
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }

        _reader.EndMessage(token);
        return new TensorFlowNode(name, op, function, at, strings);
    }

    // map<string, AttrValue> entry: key = 1, value = 2. AttrValue: s = 2, list = 1 (ListValue: s = 2).
    private void ReadAttr(string node, Dictionary<string, string> strings)
    {
        string key = "";
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (1, ProtoWireType.LengthDelimited):
                    key = _reader.ReadString(MaxNameBytes);
                    break;
                case (2, ProtoWireType.LengthDelimited):
                    string attr = key;
                    _reader.InMessage(() => ReadAttrValue(node, attr, strings));
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }
    }

    private void ReadAttrValue(string node, string key, Dictionary<string, string> strings)
    {
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (2, ProtoWireType.LengthDelimited) when _reader.Remaining > 0:
                    KeepString(node, key, strings);
                    break;
                case (1, ProtoWireType.LengthDelimited):
                    _reader.InMessage(() =>
                    {
                        while (_reader.Next())
                        {
                            if (_reader.Field == 2 && _reader.Wire == ProtoWireType.LengthDelimited)
                            {
                                KeepString(node, key, strings);
                            }
                            else
                            {
                                _reader.SkipField();
                            }
                        }
                    });
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }
    }

    private void KeepString(string node, string key, Dictionary<string, string> strings)
    {
        long at = _reader.TagOffset;
        string value = _reader.ReadString(MaxAttrBytes, out bool truncated);
        if (truncated)
        {
            return;
        }

        strings.TryAdd(key, value);
        _context.Analyze(new ContentFragment(value, $"node '{node}'.attr.{key}", ContentKind.Metadata, at));
    }

    private void JudgeNode(TensorFlowNode node)
    {
        TensorFlowOpKind kind = TensorFlowOps.Classify(node.Op);

        // PrintV2 writes to stderr or stdout unless output_stream names a file.
        if (node.Op == "PrintV2" && node.Strings.TryGetValue("output_stream", out string? stream)
            && stream.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            kind = TensorFlowOpKind.FileWrite;
        }

        if (kind == TensorFlowOpKind.None)
        {
            return;
        }

        if (TensorFlowOps.IsSaverOp(node.Op))
        {
            if (node.Function is null)
            {
                _mainGraphCheckpointOps.Add(node);
                return;
            }

            if (TensorFlowOps.IsSaverFunction(node.Function))
            {
                return;
            }
        }

        Record(kind, node);
    }

    private void ResolveCheckpointOps(IReadOnlyList<string> saverScopes)
    {
        foreach (TensorFlowNode node in _mainGraphCheckpointOps)
        {
            if (!saverScopes.Any(scope => node.Name.StartsWith(scope, StringComparison.Ordinal)))
            {
                Record(TensorFlowOps.Classify(node.Op), node);
            }
        }

        _mainGraphCheckpointOps.Clear();
    }

    private void Record(TensorFlowOpKind kind, TensorFlowNode node)
    {
        string rule = kind switch
        {
            TensorFlowOpKind.Python => RuleIds.TensorFlowPythonOp,
            TensorFlowOpKind.FileRead => RuleIds.TensorFlowFileReadOp,
            TensorFlowOpKind.FileWrite => RuleIds.TensorFlowFileWriteOp,
            _ => RuleIds.TensorFlowHostOp,
        };
        var key = (rule, node.Op, node.Function);
        if (_hits.TryGetValue(key, out Hit? hit))
        {
            hit.Count++;
        }
        else if (_hits.Count < MaxDistinctHits)
        {
            _hits[key] = new Hit(node);
        }
    }

    private void ReportHits()
    {
        foreach (var ((rule, op, function), hit) in _hits.OrderBy(h => h.Value.First.Offset))
        {
            TensorFlowNode node = hit.First;
            string where = function is null ? "the main graph" : $"function '{function}' of the graph's function library";
            string what = rule switch
            {
                RuleIds.TensorFlowPythonOp => "calls a Python function of the loading process",
                RuleIds.TensorFlowFileReadOp => "reads files of the host",
                RuleIds.TensorFlowFileWriteOp => "writes files on the host",
                _ => "reaches the host outside the graph (network, debug sinks or the process itself)",
            };
            string detail = node.Strings.TryGetValue("token", out string? token) ? $" (token '{token}')" : "";
            _context.Report(rule,
                $"Op {op} in {where} {what} when the graph runs: node '{node.Name}'{detail}{(hit.Count > 1 ? $" and {hit.Count - 1:N0} more" : "")}.",
                node.Offset, function is null ? op : $"{op}@{function}");
        }

        _hits.Clear();
    }

    private sealed record TensorFlowNode(string Name, string Op, string? Function, long Offset, Dictionary<string, string> Strings);

    private sealed class Hit
    {
        public Hit(TensorFlowNode first) => First = first;

        public TensorFlowNode First { get; }

        public int Count { get; set; } = 1;
    }
}
