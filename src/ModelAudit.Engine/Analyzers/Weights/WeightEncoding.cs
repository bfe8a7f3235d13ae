namespace ModelAudit.Engine.Analyzers.Weights;

/// <summary>How a tensor's elements are stored, for the encodings weight analysis decodes.</summary>
internal enum WeightEncoding
{
    Float32,
    Float16,
    BFloat16,
    Float64,
    Int8,

    /// <summary>ggml Q8_0: blocks of 32 int8 values sharing one float16 scale.</summary>
    Q8_0,

    /// <summary>ggml Q4_0: blocks of 32 4-bit values (offset by 8) sharing one float16 scale.</summary>
    Q4_0,
}
