using System.Buffers.Binary;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Paddle;

/// <summary>
/// Walks a .pdiparams file, the tensors paddle's save_combine writes one after another: u32 version (0), u64 LoD level
/// count with each level's u64 byte size and offsets, u32 tensor version (0), i32 TensorDesc size, the TensorDesc
/// protobuf (data_type = 1, dims = 2), then the data. Each length is checked against the bytes left; data is skipped.
/// </summary>
internal sealed class PaddleParamsReader
{
    // LoD levels are sequence-nesting depths (0 for parameters); a TensorDesc is a type and a few dims.
    private const ulong MaxLodLevels = 64;
    private const int MaxDescBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly ScanContext _context;
    private readonly long? _length;
    private long _position;

    public PaddleParamsReader(Stream stream, long? length, ScanContext context)
    {
        _stream = stream;
        _length = length;
        _context = context;
    }

    public void Walk()
    {
        Span<byte> word = stackalloc byte[8];
        int index = 0;
        while (true)
        {
            _context.CancellationToken.ThrowIfCancellationRequested();
            long start = _position;
            int got = Read(word[..4]);
            if (got == 0)
            {
                return;
            }

            if (got < 4 || BinaryPrimitives.ReadUInt32LittleEndian(word) != 0)
            {
                Invalid(index, start, got < 4 ? "the file ends inside a tensor header" : "the tensor version is not 0");
                return;
            }

            ulong levels = ReadExact(word) ? BinaryPrimitives.ReadUInt64LittleEndian(word) : ulong.MaxValue;
            if (levels > MaxLodLevels)
            {
                Invalid(index, start, "its LoD level count is missing or absurd");
                return;
            }

            for (ulong level = 0; level < levels; level++)
            {
                if (!ReadExact(word) || !SkipChecked((long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(word), long.MaxValue)))
                {
                    Invalid(index, start, "a LoD level runs past the end of the file");
                    return;
                }
            }

            bool versionZero = ReadExact(word[..4]) && BinaryPrimitives.ReadUInt32LittleEndian(word) == 0;
            int descSize = versionZero && ReadExact(word[..4]) ? BinaryPrimitives.ReadInt32LittleEndian(word) : -1;
            if (descSize is <= 0 or > MaxDescBytes)
            {
                Invalid(index, start, "its tensor description header is invalid");
                return;
            }

            byte[] desc = new byte[descSize];
            if (!ReadExact(desc) || Describe(desc) is not { } tensor)
            {
                Invalid(index, start, "its TensorDesc does not decode");
                return;
            }

            long dataAt = _position;
            if (tensor.Bytes is not { } bytes || !SkipChecked(bytes))
            {
                Invalid(index, start, $"its {tensor.Type}[{string.Join(",", tensor.Dims)}] data runs past the end of the file");
                return;
            }

            _context.ReportTensor(new TensorRegion($"#{index}", tensor.Type, tensor.Dims, dataAt, bytes));
            index++;
        }
    }

    private void Invalid(int index, long offset, string why) =>
        _context.Report(RuleIds.PaddleParamsInvalid, $"Tensor #{index} of the parameters file is not as save_combine writes it: {why}.", offset, $"tensor #{index}");

    private static (string Type, long[] Dims, long? Bytes)? Describe(byte[] desc)
    {
        try
        {
            var reader = new ProtoReader(new MemoryStream(desc, writable: false), desc.Length, 4, CancellationToken.None);
            long type = -1;
            var dims = new List<long>();
            while (reader.Next())
            {
                switch (reader.Field, reader.Wire)
                {
                    case (1, ProtoWireType.Varint):
                        type = reader.ReadInt64();
                        break;
                    case (2, ProtoWireType.Varint) when dims.Count < 64:
                        dims.Add(reader.ReadInt64());
                        break;
                    case (2, ProtoWireType.LengthDelimited):
                        long token = reader.BeginMessage();
                        while (reader.Remaining > 0 && dims.Count < 64)
                        {
                            dims.Add(reader.ReadInt64());
                        }

                        reader.EndMessage(token);
                        break;
                    default:
                        reader.SkipField();
                        break;
                }
            }

            if (!PaddleDataTypes.TryGet(type, out string name, out int size) || dims.Any(d => d < 0))
            {
                return null;
            }

            long? bytes = size;
            try
            {
                foreach (long d in dims)
                {
                    bytes = checked(bytes * d);
                }
            }
            catch (OverflowException)
            {
                bytes = null;
            }

            return (name, dims.ToArray(), bytes);
        }
        catch (ModelFormatException)
        {
            return null;
        }
    }

    private int Read(Span<byte> buffer)
    {
        int n = _stream.ReadAtMost(buffer);
        _position += n;
        return n;
    }

    private bool ReadExact(Span<byte> buffer) => Read(buffer) == buffer.Length;

    private bool SkipChecked(long count)
    {
        if (_length is { } total && count > total - _position)
        {
            return false;
        }

        long skipped = _stream.Skip(count, _context.CancellationToken);
        _position += skipped;
        return skipped == count;
    }
}
