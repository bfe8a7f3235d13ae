namespace ModelAudit.Engine.Formats.Paddle;

/// <summary>Element sizes of PaddlePaddle's <c>VarType.Type</c> values that dense tensors use (framework.proto).</summary>
internal static class PaddleDataTypes
{
    private static readonly Dictionary<long, (string Name, int Bytes)> s_types = new()
    {
        [0] = ("BOOL", 1), [1] = ("INT16", 2), [2] = ("INT32", 4), [3] = ("INT64", 8), [4] = ("FP16", 2), [5] = ("FP32", 4),
        [6] = ("FP64", 8), [19] = ("SIZE_T", 8), [20] = ("UINT8", 1), [21] = ("INT8", 1), [22] = ("BF16", 2),
        [23] = ("COMPLEX64", 8), [24] = ("COMPLEX128", 16), [32] = ("FP8_E4M3FN", 1), [33] = ("FP8_E5M2", 1),
    };

    public static bool TryGet(long type, out string name, out int bytes)
    {
        if (s_types.TryGetValue(type, out var t))
        {
            (name, bytes) = t;
            return true;
        }

        (name, bytes) = ($"type{type}", 0);
        return false;
    }
}
