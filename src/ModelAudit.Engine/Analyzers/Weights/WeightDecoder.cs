using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

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

    // 2^112, the float whose bits are 0x77800000: moves a half's exponent from bias 15 to float's 127.
    private static readonly float s_halfBiasScale = BitConverter.UInt32BitsToSingle(0x77800000);

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
                if (BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.Cast<byte, float>(bytes).CopyTo(values);
                    return bytes.Length / 4;
                }

                for (int i = 0; i < bytes.Length / 4; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
                }

                return bytes.Length / 4;
            case WeightEncoding.Float16:
                return DecodeSixteenBit(bytes, values, brain: false);
            case WeightEncoding.BFloat16:
                return DecodeSixteenBit(bytes, values, brain: true);
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

    // float16 and bfloat16 a vector at a time; the few values past the last whole vector one by one. The weights of
    // most checkpoints are float16: this is most of weight analysis's decoding (tests/Bench, the 2 GiB F16 checkpoint).
    private static int DecodeSixteenBit(ReadOnlySpan<byte> bytes, Span<float> values, bool brain)
    {
        int count = bytes.Length / 2;
        int i = 0;
        if (Vector.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            ReadOnlySpan<ushort> units = MemoryMarshal.Cast<byte, ushort>(bytes[..(count * 2)]);
            int width = Vector<ushort>.Count;
            for (; i <= count - width; i += width)
            {
                Vector.Widen(new Vector<ushort>(units[i..]), out Vector<uint> low, out Vector<uint> high);
                (brain ? BFloat16BitsToSingle(low) : HalfBitsToSingle(low)).CopyTo(values[i..]);
                (brain ? BFloat16BitsToSingle(high) : HalfBitsToSingle(high)).CopyTo(values[(i + (width / 2))..]);
            }
        }

        for (; i < count; i++)
        {
            ushort bits = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]);
            values[i] = brain ? BitConverter.Int32BitsToSingle(bits << 16) : (float)BitConverter.UInt16BitsToHalf(bits);
        }

        return count;
    }

    // float16 by bits: the exponent and mantissa shifted into float position and scaled by 2^112 (15 to 127 in the
    // exponent bias) is exact for normal and subnormal halves alike; infinities and NaNs (exponent 31) get float's
    // all-ones exponent with their mantissa; the sign is put back last.
    private static Vector<float> HalfBitsToSingle(Vector<uint> half)
    {
        Vector<uint> magnitude = half & new Vector<uint>(0x7FFF);
        Vector<uint> shifted = Vector.ShiftLeft(magnitude, 13);
        Vector<uint> finite = Vector.AsVectorUInt32(Vector.AsVectorSingle(shifted) * new Vector<float>(s_halfBiasScale));
        Vector<uint> special = shifted | new Vector<uint>(0x7F800000);
        Vector<uint> bits = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(magnitude, new Vector<uint>(0x7C00)), special, finite);
        return Vector.AsVectorSingle(bits | Vector.ShiftLeft(half & new Vector<uint>(0x8000), 16));
    }

    // bfloat16 is the upper half of a float32.
    private static Vector<float> BFloat16BitsToSingle(Vector<uint> bits) => Vector.AsVectorSingle(Vector.ShiftLeft(bits, 16));

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
