using System.Text;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.FlatBuffers;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.TFLite;

/// <summary>
/// TensorFlow Lite models: the flatbuffer <c>Model</c> table read by offset (field ids from the official
/// schema.fbs), never loaded whole. Operator codes (custom ops and Flex ops named in the finding), subgraph
/// operator and tensor indices, buffer bounds (inline and the offset/size form of models over 2 GB), and the
/// description and metadata strings, which go to the analyzers. Buffer bytes are skipped.
/// </summary>
internal sealed class TFLiteScanner : IFormatScanner
{
    // schema.fbs: BuiltinOperator.CUSTOM. Both the deprecated byte field and the int32 field may carry it.
    private const int CustomBuiltin = 32;

    // A table vector longer than this is not a model any converter writes (the largest have tens of thousands of
    // tensors); walking it would only burn time.
    private const int MaxVectorEntries = 10_000_000;

    // Strings kept for messages and analyzers.
    private const int MaxStringBytes = 1 << 16;

    // Metadata buffers read for the analyzers (model cards, runtime versions); tensor buffers are never read.
    private const int MaxMetadataBytes = 1 << 20;

    public ScannerInfo Info { get; } = new("tflite", "TFLite", new[] { TFLiteFormats.TFLite });

    // The flatbuffer file identifier "TFL3" sits right after the 4-byte root offset.
    public Reading? Sniff(SniffInput input) =>
        input.Head.Length >= 8 && input.Head.AsSpan(4, 4).SequenceEqual("TFL3"u8) ? new Reading(TFLiteFormats.TFLite, this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        Stream stream = SeekableCopy.Of(input.Stream, "TFLite model", context);
        long length = stream.Length;
        var fb = new FlatBufferReader(stream, 0, length);
        long model = fb.Root();

        if (fb.StringField(model, 3, MaxStringBytes) is { Length: > 0 } description)
        {
            context.Analyze(new ContentFragment(description, "description", ContentKind.Metadata));
        }

        string[] opcodes = ReadOperatorCodes(fb, model, context);
        int bufferCount = CheckBuffers(fb, model, length, context);
        CheckSubgraphs(fb, model, opcodes.Length, bufferCount, context);
        ReadMetadata(fb, model, context);
    }

    // OperatorCode { deprecated_builtin_code: byte = 0; custom_code: string = 1; version: int = 2; builtin_code = 3 }
    private static string[] ReadOperatorCodes(FlatBufferReader fb, long model, ScanContext context)
    {
        if (fb.Reference(model, 1, "operator_codes") is not { } vector)
        {
            return Array.Empty<string>();
        }

        int count = Bounded(fb.VectorLength(vector, 4, "operator_codes"), "operator codes");
        string[] names = new string[count];
        for (int i = 0; i < count; i++)
        {
            long code = fb.TableAt(vector, i, "operator code");
            // deprecated_builtin_code is an int8: bytes 0x80–0xFF are negative codes, not an overflow.
            int deprecated = fb.Field(code, 0) is { } d ? unchecked((sbyte)fb.ReadByte(d)) : 0;
            int builtin = fb.Field(code, 3) is { } b ? fb.ReadInt32(b) : 0;
            string? custom = fb.StringField(code, 1, MaxStringBytes);
            bool isCustom = builtin == CustomBuiltin || deprecated == CustomBuiltin;
            names[i] = isCustom ? custom ?? "" : $"builtin {Math.Max(builtin, deprecated)}";
            if (isCustom)
            {
                ReportCustom(custom ?? "", context);
            }
        }

        return names;
    }

    private static void ReportCustom(string name, ScanContext context)
    {
        if (name.StartsWith("Flex", StringComparison.Ordinal) && name.Length > 4)
        {
            string op = name[4..];
            if (TFLiteHostOps.Contains(op))
            {
                context.Report(RuleIds.TFLiteHostFlexOperator,
                    $"Flex op '{name}' runs the TensorFlow kernel {op}, which reaches the file system or Python when the model is invoked.", null, name);
            }
            else
            {
                context.Report(RuleIds.TFLiteFlexOperator, $"Flex op '{name}' runs the TensorFlow kernel {op} through the Flex delegate.", null, name);
            }

            return;
        }

        context.Report(RuleIds.TFLiteCustomOperator,
            $"Custom operator '{(name.Length > 0 ? name : "(unnamed)")}' runs a native kernel the application registers; it is not in the file.", null, name);
    }

    // Buffer { data: [ubyte] = 0; offset: ulong = 1; size: ulong = 2 }. Models over 2 GB keep data after the
    // flatbuffer and give its absolute offset and size; offset 1 with size 0 is the converter's "empty" marker.
    private static int CheckBuffers(FlatBufferReader fb, long model, long fileLength, ScanContext context)
    {
        if (fb.Reference(model, 4, "buffers") is not { } vector)
        {
            return 0;
        }

        int count = Bounded(fb.VectorLength(vector, 4, "buffers"), "buffers");
        for (int i = 0; i < count; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            long buffer = fb.TableAt(vector, i, "buffer");
            if (fb.Field(buffer, 0) is { } dataField)
            {
                long data = checked(dataField + fb.ReadUInt32(dataField));
                uint bytes = data <= fileLength - 4 ? fb.ReadUInt32(data) : uint.MaxValue;
                if (data > fileLength - 4 || bytes > fileLength - data - 4)
                {
                    context.Report(RuleIds.TFLiteStructureInvalid, $"Buffer {i}'s inline data lies outside the file.", data, $"buffer {i}");
                }
            }

            ulong offset = fb.Field(buffer, 1) is { } o ? fb.ReadUInt64(o) : 0;
            ulong size = fb.Field(buffer, 2) is { } s ? fb.ReadUInt64(s) : 0;
            if (offset > 1 && (offset > (ulong)fileLength || size > (ulong)fileLength - offset))
            {
                context.Report(RuleIds.TFLiteStructureInvalid,
                    $"Buffer {i} reads {size:N0} bytes at offset {offset:N0}, past the {fileLength:N0}-byte file.", null, $"buffer {i}");
            }
        }

        return count;
    }

    // SubGraph { tensors = 0; inputs = 1; outputs = 2; operators = 3; name = 4 }; Tensor { shape = 0; type = 1;
    // buffer: uint = 2; name = 3 }; Operator { opcode_index: uint = 0; ... }.
    private static void CheckSubgraphs(FlatBufferReader fb, long model, int opcodeCount, int bufferCount, ScanContext context)
    {
        if (fb.Reference(model, 2, "subgraphs") is not { } subgraphs)
        {
            return;
        }

        int count = Bounded(fb.VectorLength(subgraphs, 4, "subgraphs"), "subgraphs");
        for (int g = 0; g < count; g++)
        {
            long subgraph = fb.TableAt(subgraphs, g, "subgraph");
            if (fb.Reference(subgraph, 0, "tensors") is { } tensors)
            {
                int n = Bounded(fb.VectorLength(tensors, 4, "tensors"), "tensors");
                for (int t = 0; t < n; t++)
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                    long tensor = fb.TableAt(tensors, t, "tensor");
                    uint buffer = fb.Field(tensor, 2) is { } b ? fb.ReadUInt32(b) : 0;
                    if (buffer >= bufferCount && buffer != 0)
                    {
                        context.Report(RuleIds.TFLiteStructureInvalid,
                            $"Tensor {t} of subgraph {g} refers to buffer {buffer}, but the model has {bufferCount} buffers.", tensor, $"subgraph {g} tensor {t}");
                    }
                }
            }

            if (fb.Reference(subgraph, 3, "operators") is { } operators)
            {
                int n = Bounded(fb.VectorLength(operators, 4, "operators"), "operators");
                for (int o = 0; o < n; o++)
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                    long op = fb.TableAt(operators, o, "operator");
                    uint index = fb.Field(op, 0) is { } i ? fb.ReadUInt32(i) : 0;
                    if (index >= opcodeCount)
                    {
                        context.Report(RuleIds.TFLiteStructureInvalid,
                            $"Operator {o} of subgraph {g} uses operator code {index}, but the model has {opcodeCount}.", op, $"subgraph {g} operator {o}");
                    }
                }
            }
        }
    }

    // Metadata { name: string = 0; buffer: uint = 1 }: model cards (TFLITE_METADATA), min_runtime_version and the
    // like. Their names and the printable text of their buffers go to the analyzers.
    private static void ReadMetadata(FlatBufferReader fb, long model, ScanContext context)
    {
        if (fb.Reference(model, 6, "metadata") is not { } vector)
        {
            return;
        }

        long? buffers = fb.Reference(model, 4, "buffers");
        int bufferCount = buffers is { } bv ? fb.VectorLength(bv, 4, "buffers") : 0;
        int count = Bounded(fb.VectorLength(vector, 4, "metadata"), "metadata");
        for (int i = 0; i < count; i++)
        {
            long entry = fb.TableAt(vector, i, "metadata");
            string name = fb.StringField(entry, 0, MaxStringBytes) ?? "";
            uint buffer = fb.Field(entry, 1) is { } b ? fb.ReadUInt32(b) : 0;
            if (buffers is not { } bufferVector || buffer >= bufferCount)
            {
                context.Report(RuleIds.TFLiteStructureInvalid, $"Metadata '{name}' refers to buffer {buffer}, which does not exist.", entry, name);
                continue;
            }

            long table = fb.TableAt(bufferVector, (int)buffer, "buffer");
            if (fb.Reference(table, 0, "buffer data") is { } data)
            {
                int bytes = fb.VectorLength(data, 1, "buffer data");
                string text = PrintableText(fb.ReadBytes(data + 4, Math.Min(bytes, MaxMetadataBytes)));
                if (text.Length > 0)
                {
                    context.Analyze(new ContentFragment(text, "metadata." + name, ContentKind.Metadata, data + 4));
                }
            }
        }
    }

    // Metadata buffers are often flatbuffers themselves (TFLITE_METADATA); their strings are runs of printable
    // characters between binary offsets.
    private static string PrintableText(byte[] bytes)
    {
        var text = new StringBuilder();
        int runStart = -1;
        for (int i = 0; i <= bytes.Length; i++)
        {
            bool printable = i < bytes.Length && (bytes[i] is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\t' or >= 0x80);
            if (printable && runStart < 0)
            {
                runStart = i;
            }
            else if (!printable && runStart >= 0)
            {
                if (i - runStart >= 4)
                {
                    text.Append(Encoding.UTF8.GetString(bytes, runStart, i - runStart)).Append('\n');
                }

                runStart = -1;
            }
        }

        return text.ToString();
    }

    private static int Bounded(int count, string what) => count <= MaxVectorEntries
        ? count
        : throw new ScanLimitExceededException("TFLite vector entries", $"The model lists {count:N0} {what}; more than {MaxVectorEntries:N0} are not walked.");
}
