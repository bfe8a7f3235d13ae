namespace ModelAudit.Engine.Formats.SafeTensors;

/// <summary>Element sizes, in bits, of the dtypes the SafeTensors format defines.</summary>
internal static class SafeTensorsDtype
{
    public static int? Bits(string dtype) => dtype switch
    {
        "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" or "F8_E4M3FN" or "F8_E4M3FNUZ" or "F8_E5M2FNUZ" or "F8_E8M0" => 8,
        "I16" or "U16" or "F16" or "BF16" => 16,
        "I32" or "U32" or "F32" => 32,
        "I64" or "U64" or "F64" or "C64" => 64,
        "C128" => 128,
        "F4" => 4,
        "F6_E2M3" or "F6_E3M2" => 6,
        _ => null,
    };
}
