namespace ModelAudit.Engine.Formats.TensorRT;

/// <summary>
/// An executable image whose header was found inside a plan: where it starts, what it is, and how many bytes its
/// header says it spans (null when the header does not say, or says it in tables past what was read).
/// <c>IsDeviceCode</c> is true for CUDA device code (an ELF cubin, e_machine EM_CUDA): GPU kernels the CUDA driver
/// loads, which every plan carries; not host code.
/// </summary>
internal sealed record NativeImage(long Offset, NativeImageKind Kind, string Machine, string Type, long? Size, bool IsDeviceCode)
{
    /// <summary>"ELF x86-64 shared object, 14,336 bytes" for messages and evidence.</summary>
    public string Describe() =>
        $"{Kind switch { NativeImageKind.Elf => "ELF", NativeImageKind.PE => "PE", _ => "Mach-O" }} {Machine} {Type}"
        + (Size is { } size ? $", {size:N0} bytes" : ", size not given by the header");
}
