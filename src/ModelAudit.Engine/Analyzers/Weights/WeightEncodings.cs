namespace ModelAudit.Engine.Analyzers.Weights;

/// <summary>
/// Maps the dtype names the formats use (SafeTensors F32, GGUF Q8_0, ONNX FLOAT, NumPy &lt;f4, PyTorch FloatStorage)
/// to a <see cref="WeightEncoding"/>, and says how many bytes and elements one decodable unit has. Integer types other
/// than int8 are indices, masks and counters rather than weights, so they are not analysed.
/// </summary>
internal static class WeightEncodings
{
    private static readonly Dictionary<string, WeightEncoding> s_names = new(StringComparer.Ordinal)
    {
        ["F32"] = WeightEncoding.Float32, ["FLOAT"] = WeightEncoding.Float32, ["<f4"] = WeightEncoding.Float32, ["float32"] = WeightEncoding.Float32,
        ["FloatStorage"] = WeightEncoding.Float32,
        ["F16"] = WeightEncoding.Float16, ["FLOAT16"] = WeightEncoding.Float16, ["<f2"] = WeightEncoding.Float16, ["float16"] = WeightEncoding.Float16,
        ["HalfStorage"] = WeightEncoding.Float16,
        ["BF16"] = WeightEncoding.BFloat16, ["BFLOAT16"] = WeightEncoding.BFloat16, ["bfloat16"] = WeightEncoding.BFloat16,
        ["BFloat16Storage"] = WeightEncoding.BFloat16,
        ["F64"] = WeightEncoding.Float64, ["DOUBLE"] = WeightEncoding.Float64, ["<f8"] = WeightEncoding.Float64, ["float64"] = WeightEncoding.Float64,
        ["DoubleStorage"] = WeightEncoding.Float64,
        ["I8"] = WeightEncoding.Int8, ["INT8"] = WeightEncoding.Int8, ["|i1"] = WeightEncoding.Int8, ["<i1"] = WeightEncoding.Int8, ["int8"] = WeightEncoding.Int8,
        ["CharStorage"] = WeightEncoding.Int8,
        ["Q8_0"] = WeightEncoding.Q8_0,
        ["Q4_0"] = WeightEncoding.Q4_0,
    };

    /// <summary>The encoding of a format's dtype name, or null when weight analysis does not decode it.</summary>
    public static WeightEncoding? Of(string dtype) => s_names.TryGetValue(dtype, out WeightEncoding encoding) ? encoding : null;

    /// <summary>Bytes of one decodable unit: an element, or a quantisation block.</summary>
    public static int UnitBytes(WeightEncoding encoding) => encoding switch
    {
        WeightEncoding.Float32 => 4,
        WeightEncoding.Float16 or WeightEncoding.BFloat16 => 2,
        WeightEncoding.Float64 => 8,
        WeightEncoding.Int8 => 1,
        WeightEncoding.Q8_0 => 34,
        WeightEncoding.Q4_0 => 18,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
    };

    /// <summary>Elements in one decodable unit.</summary>
    public static int UnitElements(WeightEncoding encoding) => encoding is WeightEncoding.Q8_0 or WeightEncoding.Q4_0 ? 32 : 1;

    /// <summary>True for encodings that can hold NaN or infinity (quantised blocks can, through their float16 scale).</summary>
    public static bool CanBeNonFinite(WeightEncoding encoding) => encoding != WeightEncoding.Int8;
}
