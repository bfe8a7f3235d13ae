using System.Buffers.Binary;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Executable;

/// <summary>Native executables (ELF, PE, Mach-O) among model files or inside model archives, and the model one carries
/// (llamafile).</summary>
internal sealed class ExecutableScanner : IFormatScanner
{
    // A DOS stub's e_lfanew beyond this is not a PE header a loader would follow.
    private const long MaxPeHeaderOffset = 1 << 20;

    public ScannerInfo Info { get; } = new("executable", "Executable", new[] { ExecutableFormats.Elf, ExecutableFormats.PE, ExecutableFormats.MachO });

    public Reading? Sniff(SniffInput input) => Detect(input.Head) is { } format ? new Reading(format, this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        if (context.Depth > 0)
        {
            context.Report(RuleIds.ArchiveExecutableMember, $"The archive carries a native {input.Format} executable, '{input.Name}'.", 0, input.Format.Name);
        }
        else
        {
            context.Report(RuleIds.NativeExecutable, $"'{input.Name}' is a native {input.Format} executable, not model data.", 0, input.Format.Name);
        }

        EmbeddedModelFinder.Scan(input.Stream, input.Length, input.Format.Name, context);
    }

    private static ModelFormat? Detect(ReadOnlySpan<byte> h)
    {
        if (h.StartsWith("\x7F\x45\x4C\x46"u8))
        {
            return ExecutableFormats.Elf;
        }

        if (h.StartsWith(new byte[] { 0xFE, 0xED, 0xFA, 0xCE }) || h.StartsWith(new byte[] { 0xFE, 0xED, 0xFA, 0xCF })
            || h.StartsWith(new byte[] { 0xCE, 0xFA, 0xED, 0xFE }) || h.StartsWith(new byte[] { 0xCF, 0xFA, 0xED, 0xFE }))
        {
            return ExecutableFormats.MachO;
        }

        // Fat Mach-O shares 0xCAFEBABE with Java class files; a fat header has a small architecture count.
        if (h.Length >= 8 && h.StartsWith(new byte[] { 0xCA, 0xFE, 0xBA, 0xBE }) && BinaryPrimitives.ReadUInt32BigEndian(h[4..]) is > 0 and < 20)
        {
            return ExecutableFormats.MachO;
        }

        if (h.Length >= 64 && h[0] == (byte)'M' && h[1] == (byte)'Z')
        {
            // e_lfanew is attacker-chosen: compare in 64 bits so an offset near 2^31 cannot wrap around.
            long peOffset = BinaryPrimitives.ReadInt32LittleEndian(h[0x3C..]);
            if (peOffset > 0 && peOffset + 4 <= h.Length)
            {
                return h.Slice((int)peOffset, 4).SequenceEqual("PE\0\0"u8) ? ExecutableFormats.PE : null;
            }

            return peOffset > 0 && peOffset < MaxPeHeaderOffset ? ExecutableFormats.PE : null;
        }

        return null;
    }
}
