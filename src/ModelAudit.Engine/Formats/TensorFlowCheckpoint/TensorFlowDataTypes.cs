namespace ModelAudit.Engine.Formats.TensorFlowCheckpoint;

/// <summary>TensorFlow <c>DataType</c> values (tensorflow/core/framework/types.proto): names and element sizes in
/// bytes, 0 when not fixed-size (string, resource, variant).</summary>
internal static class TensorFlowDataTypes
{
    private static readonly (string Name, int Bytes)[] s_types =
    {
        ("invalid", 0), ("float32", 4), ("float64", 8), ("int32", 4), ("uint8", 1), ("int16", 2), ("int8", 1), ("string", 0),
        ("complex64", 8), ("int64", 8), ("bool", 1), ("qint8", 1), ("quint8", 1), ("qint32", 4), ("bfloat16", 2), ("qint16", 2),
        ("quint16", 2), ("uint16", 2), ("complex128", 16), ("float16", 2), ("resource", 0), ("variant", 0), ("uint32", 4), ("uint64", 8),
    };

    public static string Name(int type) => type >= 0 && type < s_types.Length ? s_types[type].Name : $"dtype{type}";

    public static int ElementBytes(int type) => type >= 0 && type < s_types.Length ? s_types[type].Bytes : 0;
}
