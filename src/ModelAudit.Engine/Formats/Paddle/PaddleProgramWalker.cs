using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Paddle;

/// <summary>
/// One pass over a ProgramDesc (framework.proto: blocks = 1; BlockDesc.ops = 4; OpDesc.type = 3, attrs = 4;
/// Attr.name = 1, s = 5, strings = 8): every op of every block is judged by its type.
/// </summary>
internal sealed class PaddleProgramWalker
{
    // Op types and attribute names are identifiers; file paths and other string attributes are short.
    private const int MaxNameBytes = 4096;
    private const int MaxAttrBytes = 64 * 1024;

    // Ops that read or write the files named in their file_path attribute.
    private static readonly HashSet<string> s_fileOps = new(StringComparer.Ordinal) { "save", "load", "save_combine", "load_combine" };

    private readonly ProtoReader _reader;
    private readonly ScanContext _context;

    public PaddleProgramWalker(ProtoReader reader, ScanContext context)
    {
        _reader = reader;
        _context = context;
    }

    public void Walk()
    {
        bool sawBlock = false;
        while (_reader.Next())
        {
            if (_reader.Field == 1 && _reader.Wire == ProtoWireType.LengthDelimited)
            {
                sawBlock = true;
                _reader.InMessage(WalkBlock);
            }
            else
            {
                _reader.SkipField();
            }
        }

        if (!sawBlock)
        {
            throw new ModelFormatException("The Paddle program has no block.", 0);
        }
    }

    private void WalkBlock()
    {
        long block = -1;
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (1, ProtoWireType.Varint):
                    block = _reader.ReadInt64();
                    break;
                case (4, ProtoWireType.LengthDelimited):
                    long at = _reader.TagOffset;
                    long token = _reader.BeginMessage();
                    JudgeOp(ReadOp(), block, at);
                    _reader.EndMessage(token);
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }
    }

    private (string Type, Dictionary<string, string> Strings) ReadOp()
    {
        string type = "";
        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (3, ProtoWireType.LengthDelimited):
                    type = _reader.ReadString(MaxNameBytes);
                    break;
                case (4, ProtoWireType.LengthDelimited):
                    _reader.InMessage(() => ReadAttr(strings));
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }

        return (type, strings);
    }

    private void ReadAttr(Dictionary<string, string> strings)
    {
        string name = "";
        while (_reader.Next())
        {
            switch (_reader.Field, _reader.Wire)
            {
                case (1, ProtoWireType.LengthDelimited):
                    name = _reader.ReadString(MaxNameBytes);
                    break;
                case (5 or 8, ProtoWireType.LengthDelimited):
                    long at = _reader.TagOffset;
                    string value = _reader.ReadString(MaxAttrBytes, out bool truncated);
                    if (!truncated)
                    {
                        strings.TryAdd(name, value);
                        _context.Analyze(new ContentFragment(value, $"op attribute '{name}'", ContentKind.Metadata, at));
                    }

                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }
    }

    private void JudgeOp((string Type, Dictionary<string, string> Strings) op, long block, long at)
    {
        if (op.Type == "py_func")
        {
            _context.Report(RuleIds.PaddlePythonOp,
                $"Block {block} has a py_func op: executing the program calls a Python function of the loading process.", at, op.Type);
        }
        else if (s_fileOps.Contains(op.Type))
        {
            string path = op.Strings.TryGetValue("file_path", out string? p) ? $" '{p}'" : "";
            _context.Report(RuleIds.PaddleFileOp,
                $"Block {block} has a {op.Type} op, which reads or writes the file{path} when the program runs.", at, op.Type);
        }
    }
}
