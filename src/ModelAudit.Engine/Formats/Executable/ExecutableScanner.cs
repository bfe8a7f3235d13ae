using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Executable;

/// <summary>Native executables (ELF, PE, Mach-O) among model files or inside model archives.</summary>
internal sealed class ExecutableScanner : IFormatScanner
{
    public string Name => "Executable";

    public IReadOnlyList<ModelFormat> Formats { get; } = new[] { ModelFormat.Elf, ModelFormat.PE, ModelFormat.MachO };

    public void Scan(ScanInput input, ScanContext context)
    {
        if (context.Depth > 0)
        {
            context.Report(RuleIds.ArchiveExecutableMember, $"The archive carries a native {input.Format} executable, '{input.Name}'.", 0, input.Format.ToString());
        }
        else
        {
            context.Report(RuleIds.NativeExecutable, $"'{input.Name}' is a native {input.Format} executable, not model data.", 0, input.Format.ToString());
        }
    }
}
