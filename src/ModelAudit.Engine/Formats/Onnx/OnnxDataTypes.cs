namespace ModelAudit.Engine.Formats.Onnx;

/// <summary>ONNX <c>TensorProto.DataType</c> values: names and element sizes in bits (0 when not fixed-size).</summary>
internal static class OnnxDataTypes
{
    private static readonly (string Name, int Bits)[] s_types =
    {
        ("UNDEFINED", 0), ("FLOAT", 32), ("UINT8", 8), ("INT8", 8), ("UINT16", 16), ("INT16", 16), ("INT32", 32), ("INT64", 64),
        ("STRING", 0), ("BOOL", 8), ("FLOAT16", 16), ("DOUBLE", 64), ("UINT32", 32), ("UINT64", 64), ("COMPLEX64", 64),
        ("COMPLEX128", 128), ("BFLOAT16", 16), ("FLOAT8E4M3FN", 8), ("FLOAT8E4M3FNUZ", 8), ("FLOAT8E5M2", 8), ("FLOAT8E5M2FNUZ", 8),
        ("UINT4", 4), ("INT4", 4), ("FLOAT4E2M1", 4),
    };

    public static string Name(long type) => type >= 0 && type < s_types.Length ? s_types[type].Name : $"type{type}";

    public static int Bits(long type) => type >= 0 && type < s_types.Length ? s_types[type].Bits : 0;

    /// <summary>Bytes of a dense tensor of this type and shape, or null when unknown or absurd.</summary>
    public static long? ByteSize(long type, IReadOnlyList<long> dims)
    {
        int bits = Bits(type);
        if (bits == 0)
        {
            return null;
        }

        try
        {
            long elements = 1;
            foreach (long d in dims)
            {
                if (d < 0)
                {
                    return null;
                }

                elements = checked(elements * d);
            }

            return checked((elements * bits) + 7) / 8;
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
