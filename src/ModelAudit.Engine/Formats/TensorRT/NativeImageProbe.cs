using System.Buffers.Binary;

namespace ModelAudit.Engine.Formats.TensorRT;

/// <summary>
/// Decides whether the bytes at a magic number are a real ELF, PE or Mach-O header, and reads the image's extent
/// from it. Four bytes alone match by chance about once per 4 GiB of weights; every field checked here (class,
/// version, header size, machine, file type) makes a chance match in tensor data practically impossible, so a
/// reported image is a header a loader would accept.
/// </summary>
internal static class NativeImageProbe
{
    /// <summary>Bytes a probe may read from the magic on: the PE section table is the farthest part read.</summary>
    public const int Reach = MaxPeHeaderOffset + 24 + 0xFFFF + MaxSizedPeSections * 40;

    // Real PE files put their header within the first few hundred bytes (link.exe: 0x80–0x118); a DOS stub that
    // points farther is not what a plugin DLL looks like, and a bound keeps the probe's read small.
    private const int MaxPeHeaderOffset = 1024;

    // Sections whose raw data give a PE's extent; Windows allows more, but DLLs have a handful.
    private const int MaxSizedPeSections = 96;

    // Mach-O load commands walked for the extent; dylibs have a few dozen.
    private const int MaxMachOCommands = 4096;

    // Extents past this are not sizes any header of a real library gives (2^48 bytes).
    private const ulong MaxExtent = 1UL << 48;

    private const ushort ElfMachineCuda = 190;

    public static NativeImage? At(ReadOnlySpan<byte> h, long offset)
    {
        if (h.Length >= 4 && h[0] == 0x7F && h[1] == (byte)'E' && h[2] == (byte)'L' && h[3] == (byte)'F')
        {
            return Elf(h, offset);
        }

        if (h.Length >= 2 && h[0] == (byte)'M' && h[1] == (byte)'Z')
        {
            return Pe(h, offset);
        }

        return h.Length >= 4 ? MachO(h, offset) : null;
    }

    private static NativeImage? Elf(ReadOnlySpan<byte> h, long offset)
    {
        bool is64 = h.Length > 4 && h[4] == 2;
        if (h.Length < 7 || h[4] is not (1 or 2) || h[5] is not (1 or 2) || h[6] != 1 || h.Length < (is64 ? 64 : 52))
        {
            return null;
        }

        bool big = h[5] == 2;
        ushort type = U16(h, 16, big);
        ushort machine = U16(h, 18, big);
        int at = is64 ? 32 : 28;
        ulong phoff = is64 ? U64(h, at, big) : U32(h, at, big);
        ulong shoff = is64 ? U64(h, at + 8, big) : U32(h, at + 4, big);
        int rest = is64 ? 52 : 40;
        ushort phentsize = U16(h, rest + 2, big), phnum = U16(h, rest + 4, big);
        ushort shentsize = U16(h, rest + 6, big), shnum = U16(h, rest + 8, big);
        bool device = machine == ElfMachineCuda;
        ushort standardPh = (ushort)(is64 ? 56 : 32), standardSh = (ushort)(is64 ? 64 : 40);

        // Only what the dynamic loader itself checks is required (ld.so ignores e_ehsize and the section headers, so
        // garbage there must not hide a library); a host relocatable object (.o) is not something it loads.
        if (U32(h, 20, big) != 1 || type is < 1 or > 3 || !device && (type == 1 || phentsize != standardPh))
        {
            return null;
        }

        ulong extent = Max(shentsize == standardSh ? End(shoff, (ulong)shnum * shentsize) : 0, phentsize == standardPh ? End(phoff, (ulong)phnum * phentsize) : 0);
        if (phnum > 0 && phentsize == standardPh && phoff < (ulong)h.Length && phoff + (ulong)phnum * phentsize <= (ulong)h.Length)
        {
            for (int i = 0; i < phnum; i++)
            {
                int entry = (int)phoff + i * phentsize;
                ulong fileOffset = is64 ? U64(h, entry + 8, big) : U32(h, entry + 4, big);
                ulong fileSize = is64 ? U64(h, entry + 32, big) : U32(h, entry + 16, big);
                extent = Max(extent, End(fileOffset, fileSize));
            }
        }

        string typeName = type switch { 1 => "relocatable object", 2 => "executable", _ => "shared object" };
        return new NativeImage(offset, NativeImageKind.Elf, ElfMachine(machine), typeName, Extent(extent), device);
    }

    private static NativeImage? Pe(ReadOnlySpan<byte> h, long offset)
    {
        if (h.Length < 0x40)
        {
            return null;
        }

        int pe = BinaryPrimitives.ReadInt32LittleEndian(h[0x3C..]);
        if (pe is < 0x40 or > MaxPeHeaderOffset || pe + 26 > h.Length || !h.Slice(pe, 4).SequenceEqual("PE\0\0"u8))
        {
            return null;
        }

        ushort machine = BinaryPrimitives.ReadUInt16LittleEndian(h[(pe + 4)..]);
        ushort sections = BinaryPrimitives.ReadUInt16LittleEndian(h[(pe + 6)..]);
        ushort optionalSize = BinaryPrimitives.ReadUInt16LittleEndian(h[(pe + 20)..]);
        ushort characteristics = BinaryPrimitives.ReadUInt16LittleEndian(h[(pe + 22)..]);
        ushort optionalMagic = BinaryPrimitives.ReadUInt16LittleEndian(h[(pe + 24)..]);
        string? machineName = machine switch
        {
            0x14C => "x86",
            0x8664 => "x86-64",
            0xAA64 => "ARM64",
            0x1C0 or 0x1C4 => "ARM",
            _ => null,
        };

        // IMAGE_FILE_EXECUTABLE_IMAGE (0x0002) and a PE32/PE32+ optional header: what the Windows loader maps.
        if (machineName is null || (characteristics & 0x0002) == 0 || optionalMagic is not (0x10B or 0x20B))
        {
            return null;
        }

        ulong extent = 0;
        int table = pe + 24 + optionalSize;
        if (sections <= MaxSizedPeSections && table + sections * 40 <= h.Length)
        {
            for (int i = 0; i < sections; i++)
            {
                ReadOnlySpan<byte> section = h.Slice(table + i * 40, 40);
                extent = Max(extent, End(BinaryPrimitives.ReadUInt32LittleEndian(section[20..]), BinaryPrimitives.ReadUInt32LittleEndian(section[16..])));
            }
        }

        string type = (characteristics & 0x2000) != 0 ? "DLL" : "executable";
        return new NativeImage(offset, NativeImageKind.PE, machineName, type, Extent(extent), false);
    }

    private static NativeImage? MachO(ReadOnlySpan<byte> h, long offset)
    {
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(h);
        bool big;
        bool is64;
        switch (magic)
        {
            case 0xFEEDFACE: big = false; is64 = false; break;
            case 0xFEEDFACF: big = false; is64 = true; break;
            case 0xCEFAEDFE: big = true; is64 = false; break;
            case 0xCFFAEDFE: big = true; is64 = true; break;
            default: return null;
        }

        int headerSize = is64 ? 32 : 28;
        if (h.Length < headerSize)
        {
            return null;
        }

        uint cpu = U32(h, 4, big);
        uint fileType = U32(h, 12, big);
        uint commands = U32(h, 16, big);
        uint commandBytes = U32(h, 20, big);
        string? machine = cpu switch
        {
            7 => "x86",
            0x01000007 => "x86-64",
            12 => "ARM",
            0x0100000C => "ARM64",
            18 => "PowerPC",
            0x01000012 => "PowerPC64",
            _ => null,
        };
        string? type = fileType switch { 2 => "executable", 6 => "dynamic library", 8 => "bundle", _ => null };
        if (machine is null || type is null || commands is 0 or > MaxMachOCommands || commandBytes > Reach)
        {
            return null;
        }

        ulong extent = 0;
        if (headerSize + commandBytes <= h.Length)
        {
            int at = headerSize;
            int end = headerSize + (int)commandBytes;
            for (uint i = 0; i < commands && at + 8 <= end; i++)
            {
                uint command = U32(h, at, big);
                uint size = U32(h, at + 4, big);
                if (size < 8 || at + size > end)
                {
                    break;
                }

                if (command == 0x1 && size >= 40)
                {
                    extent = Max(extent, End(U32(h, at + 32, big), U32(h, at + 36, big)));
                }
                else if (command == 0x19 && size >= 56)
                {
                    extent = Max(extent, End(U64(h, at + 40, big), U64(h, at + 48, big)));
                }

                at += (int)size;
            }
        }

        return new NativeImage(offset, NativeImageKind.MachO, machine, type, Extent(extent), false);
    }

    private static string ElfMachine(ushort machine) => machine switch
    {
        3 => "x86",
        20 => "PowerPC",
        21 => "PowerPC64",
        40 => "ARM",
        62 => "x86-64",
        183 => "AArch64",
        243 => "RISC-V",
        ElfMachineCuda => "CUDA",
        _ => $"machine {machine}",
    };

    // Header fields are attacker-chosen: an end past 2^48 is no extent at all, and never wraps around.
    private static ulong End(ulong start, ulong length) => start > MaxExtent || length > MaxExtent ? 0 : start + length;

    private static ulong Max(ulong a, ulong b) => a > b ? a : b;

    private static long? Extent(ulong extent) => extent is 0 or > MaxExtent ? null : (long)extent;

    private static ushort U16(ReadOnlySpan<byte> h, int at, bool big) =>
        big ? BinaryPrimitives.ReadUInt16BigEndian(h[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(h[at..]);

    private static uint U32(ReadOnlySpan<byte> h, int at, bool big) =>
        big ? BinaryPrimitives.ReadUInt32BigEndian(h[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(h[at..]);

    private static ulong U64(ReadOnlySpan<byte> h, int at, bool big) =>
        big ? BinaryPrimitives.ReadUInt64BigEndian(h[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(h[at..]);
}
