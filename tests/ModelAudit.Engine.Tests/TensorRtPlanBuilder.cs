using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// TensorRT plans as far as they are publicly described: the "ftrt" tag, the layout word 0 and the TensorRT version
/// at bytes 24–27 (what trtexec --getPlanVersionOnly reads), then a body. NVIDIA publishes no body layout, so the
/// body is built from what real plans are known to hold — CUDA device code (ELF cubins, EM_CUDA), layer and plugin
/// names, weights — and, for the malicious cases, a serialized plugin library. Mirrors
/// tests/fixtures/generate_tensorrt.py. The executables are headers and zero bytes: nothing in them runs.
/// </summary>
internal static class TensorRtPlanBuilder
{
    public const ushort ElfX8664 = 62;
    public const ushort ElfCuda = 190;

    public static byte[] Header(byte major = 10, byte minor = 3, byte patch = 0, byte build = 26)
    {
        byte[] h = new byte[28];
        "ftrt"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(8), 239);
        h[24] = major;
        h[25] = minor;
        h[26] = patch;
        h[27] = build;
        return h;
    }

    public static byte[] Plan(params byte[][] body) => Concat(new[] { Header() }.Concat(body).ToArray());

    /// <summary>A plan with the pieces every engine has: names, a cubin, a plugin name and weights.</summary>
    public static byte[] Benign() => Plan(Text("conv1 + relu1"), Elf(ElfCuda, type: 2), Text("EfficientNMS_TRT"), Weights(64 * 1024, seed: 7));

    /// <summary>A u32-length-prefixed string, as names sit in a binary record.</summary>
    public static byte[] Text(string value)
    {
        byte[] text = Encoding.ASCII.GetBytes(value);
        byte[] record = new byte[4 + text.Length + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)text.Length);
        text.CopyTo(record, 4);
        return record;
    }

    /// <summary>Deterministic bytes standing for weights (they contain chance "MZ" and printable runs).</summary>
    public static byte[] Weights(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>A minimal ELF64 little-endian image: header, one PT_LOAD, .text, .shstrtab and the section table last,
    /// so the header's extent (section table end) is the image's length.</summary>
    public static byte[] Elf(ushort machine = ElfX8664, ushort type = 3, int textBytes = 256)
    {
        byte[] shstrtab = "\0.text\0.shstrtab\0"u8.ToArray();
        int text = 64 + 56;
        int strings = text + textBytes;
        int shoff = (strings + shstrtab.Length + 7) & ~7;
        byte[] elf = new byte[shoff + 3 * 64];
        elf[0] = 0x7F;
        "ELF"u8.CopyTo(elf.AsSpan(1));
        elf[4] = 2;
        elf[5] = 1;
        elf[6] = 1;
        elf[7] = machine == ElfCuda ? (byte)0x33 : (byte)0;
        W16(elf, 16, type);
        W16(elf, 18, machine);
        W32(elf, 20, 1);
        W64(elf, 32, 64);
        W64(elf, 40, (ulong)shoff);
        W16(elf, 52, 64);
        W16(elf, 54, 56);
        W16(elf, 56, 1);
        W16(elf, 58, 64);
        W16(elf, 60, 3);
        W16(elf, 62, 2);

        // PT_LOAD covering everything before the section table.
        W32(elf, 64, 1);
        W32(elf, 68, 5);
        W64(elf, 64 + 32, (ulong)shoff);
        W64(elf, 64 + 40, (ulong)shoff);
        W64(elf, 64 + 48, 0x1000);
        shstrtab.CopyTo(elf, strings);
        Section(elf, shoff + 64, name: 1, type: 1, offset: text, size: textBytes);
        Section(elf, shoff + 128, name: 7, type: 3, offset: strings, size: shstrtab.Length);
        return elf;
    }

    /// <summary>A minimal PE32+ x86-64 DLL: DOS header, PE header, optional header, one section of 0x200 bytes.</summary>
    public static byte[] PeDll()
    {
        byte[] pe = new byte[0x400];
        pe[0] = (byte)'M';
        pe[1] = (byte)'Z';
        W32(pe, 0x3C, 0x80);
        "PE\0\0"u8.CopyTo(pe.AsSpan(0x80));
        W16(pe, 0x84, 0x8664);
        W16(pe, 0x86, 1);
        W16(pe, 0x94, 0xF0);
        W16(pe, 0x96, 0x2022);
        W16(pe, 0x98, 0x20B);
        int section = 0x98 + 0xF0;
        ".text"u8.CopyTo(pe.AsSpan(section));
        W32(pe, section + 16, 0x200);
        W32(pe, section + 20, 0x200);
        return pe;
    }

    /// <summary>A minimal Mach-O 64 ARM64 dylib: header and one LC_SEGMENT_64 spanning 4 KiB.</summary>
    public static byte[] MachODylib()
    {
        byte[] macho = new byte[4096];
        W32(macho, 0, 0xFEEDFACF);
        W32(macho, 4, 0x0100000C);
        W32(macho, 12, 6);
        W32(macho, 16, 1);
        W32(macho, 20, 72);
        W32(macho, 32, 0x19);
        W32(macho, 36, 72);
        "__TEXT"u8.CopyTo(macho.AsSpan(40));
        W64(macho, 32 + 48, 4096);
        return macho;
    }

    public static byte[] Concat(params byte[][] parts)
    {
        byte[] all = new byte[parts.Sum(p => p.Length)];
        int at = 0;
        foreach (byte[] part in parts)
        {
            part.CopyTo(all, at);
            at += part.Length;
        }

        return all;
    }

    private static void Section(byte[] elf, int at, uint name, uint type, int offset, int size)
    {
        W32(elf, at, name);
        W32(elf, at + 4, type);
        W64(elf, at + 24, (ulong)offset);
        W64(elf, at + 32, (ulong)size);
    }

    private static void W16(byte[] b, int at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);

    private static void W32(byte[] b, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);

    private static void W64(byte[] b, int at, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at), v);
}
