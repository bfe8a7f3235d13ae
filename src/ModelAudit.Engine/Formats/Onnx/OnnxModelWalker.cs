using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Onnx;

/// <summary>
/// One pass over an ONNX ModelProto. Custom-domain operators are judged at the end, once the model-local functions
/// (serialized after the graph) are known: a call to a function the model defines itself is not a custom operator.
/// </summary>
internal sealed class OnnxModelWalker
{
    // Names, op types and domains are identifiers; longer ones are cut (they only appear in messages).
    private const int MaxNameBytes = 4096;

    // Doc strings and metadata values handed to the analyzers: prose, cut at 1 MiB so one field cannot grow memory.
    private const int MaxTextBytes = 1 << 20;

    // Distinct (domain, op type) pairs remembered for the end-of-model judgement; real models use a handful.
    private const int MaxCustomOps = 10_000;

    private readonly ProtoReader _reader;
    private readonly ScanContext _context;
    private readonly Dictionary<(string Domain, string Op), (long Offset, string Scope, int Count)> _customOps = new();
    private readonly HashSet<(string Domain, string Name)> _localFunctions = new();
    private readonly List<OnnxExternalReference> _external = new();

    public OnnxModelWalker(ProtoReader reader, ScanContext context)
    {
        _reader = reader;
        _context = context;
    }

    public void Walk()
    {
        ProtoReader r = _reader;
        bool sawGraph = false;
        while (r.Next())
        {
            switch (r.Field, r.Wire)
            {
                case (2, ProtoWireType.LengthDelimited):
                    Analyze("producer_name", r.TagOffset);
                    break;
                case (3, ProtoWireType.LengthDelimited):
                    Analyze("producer_version", r.TagOffset);
                    break;
                case (4, ProtoWireType.LengthDelimited):
                    Analyze("domain", r.TagOffset);
                    break;
                case (6, ProtoWireType.LengthDelimited):
                    Analyze("doc_string", r.TagOffset);
                    break;
                case (7, ProtoWireType.LengthDelimited):
                    sawGraph = true;
                    _reader.InMessage(() => WalkGraph("graph"));
                    break;
                case (14, ProtoWireType.LengthDelimited):
                    _reader.InMessage(() => WalkMetadataEntry("metadata_props"));
                    break;
                case (20, ProtoWireType.LengthDelimited):
                    _reader.InMessage(WalkTrainingInfo);
                    break;
                case (25, ProtoWireType.LengthDelimited):
                    _reader.InMessage(WalkFunction);
                    break;
                default:
                    r.SkipField();
                    break;
            }
        }

        if (!sawGraph && _localFunctions.Count == 0)
        {
            throw new ModelFormatException("The ONNX model has no graph.", 0);
        }

        ReportCustomOps();
        OnnxExternalDataCheck.Check(_context, _external);
    }

    private void WalkTrainingInfo()
    {
        while (_reader.Next())
        {
            if (_reader.Field is 1 or 2 && _reader.Wire == ProtoWireType.LengthDelimited)
            {
                string scope = _reader.Field == 1 ? "training initialization graph" : "training algorithm graph";
                _reader.InMessage(() => WalkGraph(scope));
            }
            else
            {
                _reader.SkipField();
            }
        }
    }

    private void WalkFunction()
    {
        string name = "", domain = "";
        var nodes = new List<OnnxNode>();
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (1, ProtoWireType.LengthDelimited):
                    name = _reader.ReadString(MaxNameBytes);
                    break;
                case (10, ProtoWireType.LengthDelimited):
                    domain = _reader.ReadString(MaxNameBytes);
                    break;
                case (8, ProtoWireType.LengthDelimited):
                    Analyze("functions.doc_string", _reader.TagOffset);
                    break;
                case (7, ProtoWireType.LengthDelimited):
                    nodes.Add(ReadNodeMessage("function"));
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }

        _localFunctions.Add((domain, name));
        string scope = $"function '{(domain.Length > 0 ? domain + "." : "")}{name}'";
        foreach (OnnxNode node in nodes)
        {
            Judge(node with { Scope = scope });
        }
    }

    private void WalkGraph(string scope)
    {
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (1, ProtoWireType.LengthDelimited):
                    Judge(ReadNodeMessage(scope));
                    break;
                case (5, ProtoWireType.LengthDelimited):
                    _reader.InMessage(() => WalkTensor(scope));
                    break;
                case (15, ProtoWireType.LengthDelimited):
                    _reader.InMessage(() => WalkSparseTensor(scope));
                    break;
                case (10, ProtoWireType.LengthDelimited):
                    Analyze(scope + ".doc_string", _reader.TagOffset);
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }
    }

    private OnnxNode ReadNodeMessage(string scope)
    {
        long at = _reader.TagOffset;
        long token = _reader.BeginMessage();
        OnnxNode node = ReadNode(scope, at);
        _reader.EndMessage(token);
        return node;
    }

    private OnnxNode ReadNode(string scope, long at)
    {
        string name = "", opType = "", domain = "";
        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (3, ProtoWireType.LengthDelimited):
                    name = _reader.ReadString(MaxNameBytes);
                    break;
                case (4, ProtoWireType.LengthDelimited):
                    opType = _reader.ReadString(MaxNameBytes);
                    break;
                case (7, ProtoWireType.LengthDelimited):
                    domain = _reader.ReadString(MaxNameBytes);
                    break;
                case (5, ProtoWireType.LengthDelimited):
                    long token = _reader.BeginMessage();
                    WalkAttribute($"{scope} › node '{name}'", strings);
                    _reader.EndMessage(token);
                    break;
                case (6, ProtoWireType.LengthDelimited):
                    Analyze($"{scope} › node '{name}'.doc_string", _reader.TagOffset);
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }

        return new OnnxNode(name, opType, domain, scope, at, strings);
    }

    // Attributes are read before the node's op type and domain are known (field order 4, 5, 7): subgraphs are walked
    // as they come, short string values are kept for the node's judgement.
    private void WalkAttribute(string nodeScope, Dictionary<string, string> strings)
    {
        string name = "";
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (1, ProtoWireType.LengthDelimited):
                    name = _reader.ReadString(MaxNameBytes);
                    break;
                case (4, ProtoWireType.LengthDelimited):
                    long at = _reader.TagOffset;
                    string value = _reader.ReadString(MaxTextBytes);
                    strings.TryAdd(name, value.Length > MaxNameBytes ? value[..MaxNameBytes] : value);
                    _context.Analyze(new ContentFragment(value, $"{nodeScope}.{name}", ContentKind.Metadata, at));
                    break;
                case (5 or 10, ProtoWireType.LengthDelimited):
                    string tensorScope = $"{nodeScope}.{name}";
                    _reader.InMessage(() => WalkTensor(tensorScope));
                    break;
                case (6 or 11, ProtoWireType.LengthDelimited):
                    string graphScope = $"{nodeScope}.{name}";
                    _reader.InMessage(() => WalkGraph(graphScope));
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }
    }

    private void WalkSparseTensor(string scope)
    {
        while (_reader.Next())
        {
            if (_reader.Field is 1 or 2 && _reader.Wire == ProtoWireType.LengthDelimited)
            {
                _reader.InMessage(() => WalkTensor(scope));
            }
            else
            {
                _reader.SkipField();
            }
        }
    }

    private void WalkTensor(string scope)
    {
        long at = _reader.TagOffset;
        string name = "";
        long dataType = 0;
        long dataLocation = 0;
        var dims = new List<long>();
        (long Offset, long Length)? raw = null;
        string? location = null;
        long offset = 0;
        long? length = null;
        bool hasExternal = false;
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (1, ProtoWireType.Varint):
                    AddDim(dims, _reader.ReadInt64());
                    break;
                case (1, ProtoWireType.LengthDelimited):
                    long token = _reader.BeginMessage();
                    while (_reader.Remaining > 0)
                    {
                        AddDim(dims, _reader.ReadInt64());
                    }

                    _reader.EndMessage(token);
                    break;
                case (2, ProtoWireType.Varint):
                    dataType = _reader.ReadInt64();
                    break;
                case (8, ProtoWireType.LengthDelimited):
                    name = _reader.ReadString(MaxNameBytes);
                    break;
                case (9, ProtoWireType.LengthDelimited):
                    raw = _reader.SkipField();
                    break;
                case (13, ProtoWireType.LengthDelimited):
                    hasExternal = true;
                    long entry = _reader.BeginMessage();
                    (string key, string value) = ReadEntry(MaxTextBytes);
                    _reader.EndMessage(entry);
                    switch (key)
                    {
                        case "location":
                            location = value;
                            break;
                        case "offset" when long.TryParse(value, out long o) && o >= 0:
                            offset = o;
                            break;
                        case "length" when long.TryParse(value, out long l) && l >= 0:
                            length = l;
                            break;
                    }

                    break;
                case (14, ProtoWireType.Varint):
                    dataLocation = _reader.ReadInt64();
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }

        long? expected = OnnxDataTypes.ByteSize(dataType, dims);
        if (dataLocation == 1 || hasExternal)
        {
            if (_external.Count < MaxCustomOps)
            {
                _external.Add(new OnnxExternalReference(name, location, offset, length, expected, at));
            }
        }
        else if (raw is { } region)
        {
            _context.ReportTensor(new TensorRegion(name, OnnxDataTypes.Name(dataType), dims, region.Offset, region.Length));
        }
    }

    // Shapes come from the file; only as many dimensions as any real tensor has are kept.
    private static void AddDim(List<long> dims, long value)
    {
        if (dims.Count < 64)
        {
            dims.Add(value);
        }
    }

    private (string Key, string Value) ReadEntry(int maxValue)
    {
        string key = "", value = "";
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (1, ProtoWireType.LengthDelimited):
                    key = _reader.ReadString(MaxNameBytes);
                    break;
                case (2, ProtoWireType.LengthDelimited):
                    value = _reader.ReadString(maxValue);
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }

        return (key, value);
    }

    private void WalkMetadataEntry(string scope)
    {
        long at = _reader.TagOffset;
        (string key, string value) = ReadEntry(MaxTextBytes);
        _context.Analyze(new ContentFragment(value, $"{scope}.{key}", ContentKind.Metadata, at));
    }

    private void Analyze(string keyPath, long at)
    {
        string text = _reader.ReadString(MaxTextBytes);
        if (text.Length > 0)
        {
            _context.Analyze(new ContentFragment(text, keyPath, ContentKind.Metadata, at));
        }
    }

    private void Judge(OnnxNode node)
    {
        if (OnnxDomains.IsPythonOp(node.OpType))
        {
            string target = string.Join(", ", new[] { "module", "class_name", "compute", "func_name" }
                .Where(node.Strings.ContainsKey).Select(k => $"{k}={node.Strings[k]}"));
            _context.Report(RuleIds.OnnxPythonOp,
                $"Node '{node.Name}' in the {node.Scope} is a {node.OpType} ({Domain(node.Domain)}), which calls into Python when the model runs{(target.Length > 0 ? ": " + target : "")}.",
                node.Offset, $"{node.Domain}::{node.OpType}");
            return;
        }

        if (OnnxDomains.IsStandard(node.Domain))
        {
            return;
        }

        var key = (node.Domain, node.OpType);
        if (_customOps.TryGetValue(key, out var seen))
        {
            _customOps[key] = seen with { Count = seen.Count + 1 };
        }
        else if (_customOps.Count < MaxCustomOps)
        {
            _customOps[key] = (node.Offset, node.Scope, 1);
        }
    }

    private void ReportCustomOps()
    {
        foreach (var ((domain, op), (offset, scope, count)) in _customOps.OrderBy(e => e.Value.Offset))
        {
            if (_localFunctions.Contains((domain, op)))
            {
                continue;
            }

            _context.Report(RuleIds.OnnxCustomDomain,
                $"Operator '{op}' from custom domain '{domain}' ({count:N0} node(s), first in the {scope}): running the model needs a custom-op library, native code loaded into the runtime.",
                offset, $"{domain}::{op}");
        }
    }

    private static string Domain(string domain) => domain.Length == 0 ? "default domain" : $"domain '{domain}'";

    private sealed record OnnxNode(string Name, string OpType, string Domain, string Scope, long Offset, Dictionary<string, string> Strings);
}
