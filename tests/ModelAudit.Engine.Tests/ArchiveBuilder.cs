using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Builds zips and tars in memory, and patches their bytes for the tricks loaders and scanners disagree on.</summary>
internal static class ArchiveBuilder
{
    public static byte[] Zip(params (string Name, byte[] Data)[] entries) => Zip(CompressionLevel.NoCompression, entries);

    public static byte[] Zip(CompressionLevel level, params (string Name, byte[] Data)[] entries)
    {
        var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                using Stream s = zip.CreateEntry(name, level).Open();
                s.Write(data);
            }
        }

        return buffer.ToArray();
    }

    public static byte[] Tar(params (string Name, byte[] Data)[] entries)
    {
        var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            }
        }

        return buffer.ToArray();
    }

    public static byte[] TarWithLink(string name, string target, TarEntryType type)
    {
        var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(type, name) { LinkName = target });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "config.json") { DataStream = new MemoryStream("{}"u8.ToArray()) });
        }

        return buffer.ToArray();
    }

    /// <summary>Offsets of every occurrence of a 4-byte signature.</summary>
    public static List<int> Find(byte[] data, string signature)
    {
        byte[] sig = Encoding.Latin1.GetBytes(signature);
        var hits = new List<int>();
        for (int i = 0; i + 4 <= data.Length; i++)
        {
            if (data.AsSpan(i, 4).SequenceEqual(sig))
            {
                hits.Add(i);
            }
        }

        return hits;
    }

    public static void SetUInt16(byte[] data, int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(offset), value);

    public static void SetUInt32(byte[] data, int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(offset), value);
}
