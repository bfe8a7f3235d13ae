using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Executable;

internal static class ExecutableFormats
{
    public static ModelFormat Elf { get; } = new("Elf", "ELF executables and shared objects", FormatRisk.Executable, ".so", ".elf", ".llamafile");

    public static ModelFormat PE { get; } = new("PE", "Windows PE executables and DLLs", FormatRisk.Executable, ".exe", ".dll", ".pyd", ".sys", ".llamafile");

    public static ModelFormat MachO { get; } = new("MachO", "Mach-O executables and libraries", FormatRisk.Executable, ".dylib");
}
