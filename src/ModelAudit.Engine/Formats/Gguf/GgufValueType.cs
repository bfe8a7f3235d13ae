namespace ModelAudit.Engine.Formats.Gguf;

/// <summary>The metadata value types of the GGUF specification (<c>gguf_metadata_value_type</c>); 10–12 exist from v2.</summary>
internal enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}
