using System.Buffers.Binary;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Paddle;

/// <summary>
/// Scans PaddlePaddle inference models: the program (.pdmodel, a ProgramDesc protobuf: py_func and file ops) and the
/// combined parameters (.pdiparams: every tensor's header and size checked against the file, data skipped).
/// </summary>
internal sealed class PaddleScanner : IFormatScanner
{
    public ScannerInfo Info { get; } = new("paddle", "PaddlePaddle", new[] { PaddleFormats.Program, PaddleFormats.Params });

    public Reading? Sniff(SniffInput input)
    {
        if (ProtobufClassifier.Classify(input).Kind == ProtobufKind.Paddle)
        {
            return new Reading(PaddleFormats.Program, this, ReadingStrength.Plausible);
        }

        return LooksLikeParams(input.Head) ? new Reading(PaddleFormats.Params, this, ReadingStrength.Plausible) : null;
    }

    // u32 version 0, u64 LoD level count (0 for parameters, small for sequences), u32 tensor version 0, i32 desc size,
    // then a TensorDesc starting with data_type (field 1, varint).
    private static bool LooksLikeParams(ReadOnlySpan<byte> h)
    {
        if (h.Length < 21 || BinaryPrimitives.ReadUInt32LittleEndian(h) != 0 || BinaryPrimitives.ReadUInt64LittleEndian(h[4..]) != 0)
        {
            return false;
        }

        int desc = BinaryPrimitives.ReadInt32LittleEndian(h[16..]);
        return BinaryPrimitives.ReadUInt32LittleEndian(h[12..]) == 0 && desc is > 1 and <= 1024 && h[20] == 0x08;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        if (ReferenceEquals(input.Format, PaddleFormats.Params))
        {
            new PaddleParamsReader(input.Stream, input.Length, context).Walk();
            return;
        }

        var reader = new ProtoReader(input.Stream, input.Length ?? long.MaxValue, context.Limits.MaxProtobufNesting, context.CancellationToken);
        new PaddleProgramWalker(reader, context).Walk();
    }
}
