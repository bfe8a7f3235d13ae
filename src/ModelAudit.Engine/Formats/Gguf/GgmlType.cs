namespace ModelAudit.Engine.Formats.Gguf;

/// <summary>
/// The tensor element types of ggml (ggml.h <c>enum ggml_type</c>, ggml.c <c>type_traits</c>): how many elements one
/// block holds and how many bytes it takes, so a tensor's byte size follows from its shape alone. Ids that ggml
/// retired (Q4_2, Q4_3, the repacked Q4_0_x_y and IQ4_NL_x_y) keep their last sizes: files written with them exist.
/// </summary>
internal static class GgmlType
{
    private static readonly (string Name, int BlockElements, int BlockBytes)?[] s_types =
    {
        ("F32", 1, 4), ("F16", 1, 2), ("Q4_0", 32, 18), ("Q4_1", 32, 20),
        ("Q4_2", 16, 10), ("Q4_3", 16, 12), ("Q5_0", 32, 22), ("Q5_1", 32, 24),
        ("Q8_0", 32, 34), ("Q8_1", 32, 36), ("Q2_K", 256, 84), ("Q3_K", 256, 110),
        ("Q4_K", 256, 144), ("Q5_K", 256, 176), ("Q6_K", 256, 210), ("Q8_K", 256, 292),
        ("IQ2_XXS", 256, 66), ("IQ2_XS", 256, 74), ("IQ3_XXS", 256, 98), ("IQ1_S", 256, 50),
        ("IQ4_NL", 32, 18), ("IQ3_S", 256, 110), ("IQ2_S", 256, 82), ("IQ4_XS", 256, 136),
        ("I8", 1, 1), ("I16", 1, 2), ("I32", 1, 4), ("I64", 1, 8),
        ("F64", 1, 8), ("IQ1_M", 256, 56), ("BF16", 1, 2), ("Q4_0_4_4", 32, 18),
        ("Q4_0_4_8", 32, 18), ("Q4_0_8_8", 32, 18), ("TQ1_0", 256, 54), ("TQ2_0", 256, 66),
        ("IQ4_NL_4_4", 32, 18), ("IQ4_NL_4_8", 32, 18), ("IQ4_NL_8_8", 32, 18), ("MXFP4", 32, 17),
    };

    /// <summary>Name, elements per block and bytes per block of a type id, or null for an id ggml never defined.</summary>
    public static (string Name, int BlockElements, int BlockBytes)? Get(uint id) => id < s_types.Length ? s_types[id] : null;
}
