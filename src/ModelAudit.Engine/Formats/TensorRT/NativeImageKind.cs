namespace ModelAudit.Engine.Formats.TensorRT;

/// <summary>The executable container a header found inside a plan belongs to.</summary>
internal enum NativeImageKind
{
    Elf,
    PE,
    MachO,
}
