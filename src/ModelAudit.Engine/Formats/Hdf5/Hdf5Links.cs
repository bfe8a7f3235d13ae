using System.Text;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// The links of a version 2 group (the latest format): Link messages (IV.A.2.g) in its header, and the Link Info
/// message (IV.A.2.c) that says whether the links are stored there or densely, in a fractal heap.
/// </summary>
internal static class Hdf5Links
{
    private const byte HardLink = 0;

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

    /// <summary>Version 0, flags, the maximum creation index (flag bit 0), then the fractal heap address, defined only
    /// when the links are stored densely.</summary>
    public static void RefuseDenseStorage(Hdf5File file, Hdf5Cursor body, string path)
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

        if (!file.IsUndefined(body.Offset()))
        {
            throw new ModelFormatException($"the HDF5 group {path} stores its links densely (a fractal heap), which is not read; the objects under it are not checked");
        }
    }
}
