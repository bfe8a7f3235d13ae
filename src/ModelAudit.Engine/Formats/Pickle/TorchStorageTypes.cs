namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// PyTorch's legacy storage classes (torch.FloatStorage…), which torch.save still writes as the storage type of every
/// persistent id: the element size that lays a storage's bytes out, and the dtype name shown for its tensors.
/// </summary>
internal static class TorchStorageTypes
{
    /// <summary>Bytes per element of a storage type, or null for a type torch does not define.</summary>
    public static int? ElementSize(string storageType) => storageType switch
    {
        "DoubleStorage" or "LongStorage" or "ComplexFloatStorage" => 8,
        "FloatStorage" or "IntStorage" => 4,
        "HalfStorage" or "ShortStorage" or "BFloat16Storage" => 2,
        "ByteStorage" or "CharStorage" or "BoolStorage" or "QUInt8Storage" or "QInt8Storage" => 1,
        "QInt32Storage" => 4,
        "ComplexDoubleStorage" => 16,
        _ => null,
    };

    /// <summary>The torch dtype of a storage type's elements (torch.float32 for FloatStorage), as results and SBOMs
    /// show it; weight analysis decodes the float ones and int8.</summary>
    public static string DTypeName(string storageType) => storageType switch
    {
        "DoubleStorage" => "float64",
        "FloatStorage" => "float32",
        "HalfStorage" => "float16",
        "BFloat16Storage" => "bfloat16",
        "LongStorage" => "int64",
        "IntStorage" => "int32",
        "ShortStorage" => "int16",
        "CharStorage" => "int8",
        "ByteStorage" => "uint8",
        "BoolStorage" => "bool",
        "ComplexFloatStorage" => "complex64",
        "ComplexDoubleStorage" => "complex128",
        "QUInt8Storage" => "quint8",
        "QInt8Storage" => "qint8",
        "QInt32Storage" => "qint32",
        _ => storageType,
    };
}
