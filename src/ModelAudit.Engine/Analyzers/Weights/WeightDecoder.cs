using System.Buffers.Binary;

namespace ModelAudit.Engine.Analyzers.Weights;

/// <summary>
/// Turns a tensor's bytes, arriving in chunks of any size, into float values in element order. A unit (an element or
/// a quantisation block) split across two chunks is carried over in a buffer of one unit, so memory does not depend
/// on the tensor or the chunk size. ggml blocks are dequantised as ggml's <c>dequantize_row_q8_0/q4_0</c> do.
/// </summary>
internal sealed class WeightDecoder
{
    // Values are handed on in batches of this many: small enough to stay in the L1 cache with the caller's work on
    // them, large enough that the per-batch overhead does not show.
    private const int BatchElements = 4096;

    // Every float16 bit pattern as a float (256 KiB, built once): a table read is several times faster than
    // converting each value, and float16 is the commonest dtype of checkpoints.
    private static readonly Lazy<float[]> s_halves = new(() =>
    {
        var table = new float[65536];
        for (int bits = 0; bits < table.Length; bits++)
        {
            table[bits] = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
        }

        return table;
    });

    private readonly WeightEncoding _encoding;
    private readonly int _unitBytes;
    private readonly byte[] _carry;
    private readonly float[] _batch = new float[BatchElements];
    private int _carried;

    public WeightDecoder(WeightEncoding encoding)
    {
        _encoding = encoding;
        _unitBytes = WeightEncodings.UnitBytes(encoding);
        _carry = new byte[_unitBytes];
    }

    /// <summary>Bytes of an incomplete unit still waiting for the next chunk.</summary>
    public int Carried => _carried;

    /// <summary>Decodes every whole unit of <paramref name="bytes"/> (after any carried bytes) and hands the values to
    /// <paramref name="sink"/> in batches.</summary>
    public void Decode(ReadOnlySpan<byte> bytes, IWeightSink sink)
    {
        if (_carried > 0)
        {
            int take = Math.Min(_unitBytes - _carried, bytes.Length);
            bytes[..take].CopyTo(_carry.AsSpan(_carried));
            _carried += take;
            bytes = bytes[take..];
            if (_carried < _unitBytes)
            {
                return;
            }

            int produced = DecodeUnits(_carry, _batch);
            sink.Accept(_batch.AsSpan(0, produced));
            _carried = 0;
        }

        int unitsPerBatch = BatchElements / WeightEncodings.UnitElements(_encoding);
        while (bytes.Length >= _unitBytes)
        {
            int units = Math.Min(unitsPerBatch, bytes.Length / _unitBytes);
            int length = units * _unitBytes;
            int produced = DecodeUnits(bytes[..length], _batch);
            sink.Accept(_batch.AsSpan(0, produced));
            bytes = bytes[length..];
        }

        bytes.CopyTo(_carry);
        _carried = bytes.Length;
    }

    // Decodes whole units; returns the number of values written.
    private int DecodeUnits(ReadOnlySpan<byte> bytes, Span<float> values)
    {
        switch (_encoding)
        {
            case WeightEncoding.Float32:
                for (int i = 0; i < bytes.Length / 4; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
                }

                return bytes.Length / 4;
            case WeightEncoding.Float16:
                float[] halves = s_halves.Value;
                for (int i = 0; i < bytes.Length / 2; i++)
                {
                    values[i] = halves[BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..])];
                }

                return bytes.Length / 2;
            case WeightEncoding.BFloat16:
                // bfloat16 is the upper half of a float32.
                for (int i = 0; i < bytes.Length / 2; i++)
                {
                    values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]) << 16);
                }

                return bytes.Length / 2;
            case WeightEncoding.Float64:
                for (int i = 0; i < bytes.Length / 8; i++)
                {
                    values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * 8)..]);
                }

                return bytes.Length / 8;
            case WeightEncoding.Int8:
                for (int i = 0; i < bytes.Length; i++)
                {
                    values[i] = unchecked((sbyte)bytes[i]);
                }

                return bytes.Length;
            case WeightEncoding.Q8_0:
                return DecodeQ8(bytes, values);
            case WeightEncoding.Q4_0:
                return DecodeQ4(bytes, values);
            default:
                throw new InvalidOperationException($"no decoder for {_encoding}");
        }
    }

    // block_q8_0 { ggml_half d; int8_t qs[32]; }: value = d * q.
    private static int DecodeQ8(ReadOnlySpan<byte> bytes, Span<float> values)
    {
        int written = 0;
        for (int block = 0; block + 34 <= bytes.Length; block += 34)
        {
            float scale = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[block..]);
            for (int j = 0; j < 32; j++)
            {
                values[written + j] = scale * unchecked((sbyte)bytes[block + 2 + j]);
            }

            written += 32;
        }

        return written;
    }

    // block_q4_0 { ggml_half d; uint8_t qs[16]; }: the low nibbles are elements 0..15, the high nibbles 16..31, each
    // stored offset by 8.
    private static int DecodeQ4(ReadOnlySpan<byte> bytes, Span<float> values)
    {
        int written = 0;
        for (int block = 0; block + 18 <= bytes.Length; block += 18)
        {
            float scale = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[block..]);
            for (int j = 0; j < 16; j++)
            {
                byte packed = bytes[block + 2 + j];
                values[written + j] = scale * ((packed & 0x0F) - 8);
                values[written + j + 16] = scale * ((packed >> 4) - 8);
            }

            written += 32;
        }

        return written;
    }
}
