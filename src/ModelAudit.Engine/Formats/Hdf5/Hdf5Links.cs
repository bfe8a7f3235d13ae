using System.Text;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// The links of a version 2 group (the latest format): Link messages (IV.A.2.g) in its header, and the Link Info
/// message (IV.A.2.c) that says whether the links are stored there or densely: link messages as objects of a fractal
/// heap (<see cref="Hdf5FractalHeap"/>), found through a v2 B-tree name index (<see cref="Hdf5BTree2"/>).
/// </summary>
internal static class Hdf5Links
{
    private const byte HardLink = 0;

    // A link name record (type 5) begins with the hash of the name; the heap ID fills the rest.
    private const int NameHashBytes = 4;

    // A link creation order record (type 6) begins with the 8-byte creation order; the heap ID follows.
    private const int CreationOrderBytes = 8;

    /// <summary>The name and object header address of a hard link; null for a soft link (a path inside the file,
    /// whose target is reached by its own hard links), an external link (another file, which is not opened) or a
    /// user-defined one.</summary>
    public static (string Name, ulong Address)? Hard(Hdf5Cursor body)
    {
        // Version 1, flags, the link type (flag bit 3), a creation order (bit 2), a name character set (bit 4), the
        // name's length in 1, 2, 4 or 8 bytes (bits 0-1), the name, then the link information.
        byte version = body.U8();
        if (version != 1)
        {
            throw new ModelFormatException($"HDF5 link message version {version} is not 1", body.FileAddress - 1);
        }

        byte flags = body.U8();
        byte type = (flags & 0x08) != 0 ? body.U8() : HardLink;
        body.Skip(((flags & 0x04) != 0 ? 8 : 0) + ((flags & 0x10) != 0 ? 1 : 0));
        ulong length = body.Unsigned(1 << (flags & 0x03));
        if (length == 0 || length > (ulong)body.Remaining)
        {
            throw new ModelFormatException($"an HDF5 link message declares a {length:N0}-byte name where {body.Remaining:N0} bytes remain", body.FileAddress);
        }

        ReadOnlySpan<byte> name = body.Take((int)length);
        if (type != HardLink)
        {
            return null;
        }

        // A name is only shown, never matched: cut as the local heap's are.
        string shown = name.Length > Hdf5LocalHeap.MaxNameBytes
            ? Encoding.UTF8.GetString(name[..Hdf5LocalHeap.MaxNameBytes]) + "…"
            : Encoding.UTF8.GetString(name);
        return (shown, body.Offset());
    }

    /// <summary>The hard links a Link Info message's dense storage holds, in its name index's order; none when the
    /// links are in the header (the heap address undefined). Version 0, flags, the maximum creation index (flag bit
    /// 0), the fractal heap's address, the name index's v2 B-tree, then (flag bit 1) a creation order index, which
    /// must index the same links (<see cref="Hdf5CreationOrderIndex"/>). Each record of the name index is a name's hash (4 bytes) and the heap
    /// ID of a link message, which is read as one in the header is: the library finds links through this index, so
    /// what it holds is what is walked.</summary>
    public static List<(string Name, ulong Address)> Dense(Hdf5File file, Hdf5Cursor body, string path)
    {
        byte version = body.U8();
        if (version != 0)
        {
            throw new ModelFormatException($"HDF5 link info message version {version} is not 0", body.FileAddress - 1);
        }

        byte flags = body.U8();
        if ((flags & 0x01) != 0)
        {
            body.Skip(8);
        }

        var links = new List<(string Name, ulong Address)>();
        ulong heapAddress = body.Offset();
        if (file.IsUndefined(heapAddress))
        {
            return links;
        }

        ulong nameIndex = body.Offset();
        ulong? orderIndex = (flags & 0x02) != 0 ? body.Offset() : null;
        string what = $"the dense links of {path}";
        Hdf5FractalHeap heap = Hdf5FractalHeap.Read(file, heapAddress, what);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int idLength = 0;
        foreach (Hdf5Cursor record in Hdf5BTree2.Records(file, nameIndex, Hdf5BTree2.LinkNameRecords, what))
        {
            record.Skip(NameHashBytes);
            ReadOnlySpan<byte> id = record.Take(record.Remaining);
            idLength = id.Length;
            ids.Add(Convert.ToHexString(id));
            if (Hard(heap.Object(id)) is { } link)
            {
                links.Add(link);
            }
        }

        if (orderIndex is { } order && !file.IsUndefined(order))
        {
            Hdf5CreationOrderIndex.Check(file, order, Hdf5CreationOrderIndex.LinkRecords, CreationOrderBytes, idLength, ids, what);
        }

        return links;
    }
}
