using System.Text;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// A local heap ("HEAP", specification section III.D), where a version 1 group keeps its link names as
/// null-terminated strings. Only the header is read whole; a name is read on its own, at most
/// <see cref="MaxNameBytes"/> of it, after checking it lies inside the data segment.
/// </summary>
internal sealed class Hdf5LocalHeap
{
    // A name is only shown (in a member's path), never matched: a longer one is cut, which bounds what every path
    // of a wide, deep tree holds.
    public const int MaxNameBytes = 256;

    private static ReadOnlySpan<byte> Signature => "HEAP"u8;

    private readonly Hdf5File _file;
    private readonly ulong _dataAddress;
    private readonly ulong _dataSize;

    private Hdf5LocalHeap(Hdf5File file, ulong dataAddress, ulong dataSize)
    {
        _file = file;
        _dataAddress = dataAddress;
        _dataSize = dataSize;
    }

    /// <summary>The header at <paramref name="address"/>: signature, version 0, reserved (3), the data segment's
    /// size, the free list's offset, the data segment's address.</summary>
    public static Hdf5LocalHeap Read(Hdf5File file, ulong address)
    {
        int size = 4 + 4 + 2 * file.SizeOfLengths + file.SizeOfOffsets;
        Hdf5Cursor header = file.Cursor(address, (ulong)size, "local heap");
        if (!header.Take(Signature.Length).SequenceEqual(Signature))
        {
            throw new ModelFormatException($"the HDF5 group's local heap at {address:N0} has no HEAP signature", header.FileAddress - Signature.Length);
        }

        byte version = header.U8();
        if (version != 0)
        {
            throw new ModelFormatException($"the HDF5 local heap at {address:N0} has version {version}, not 0", header.FileAddress - 1);
        }

        header.Skip(3);
        ulong dataSize = header.Length();
        header.Length(); // the free list
        ulong dataAddress = header.Offset();
        file.Resolve(dataAddress, dataSize, "local heap data segment");
        return new Hdf5LocalHeap(file, dataAddress, dataSize);
    }

    /// <summary>The name at <paramref name="offset"/> in the data segment, cut after <see cref="MaxNameBytes"/>.</summary>
    public string Name(ulong offset)
    {
        if (offset >= _dataSize)
        {
            throw new ModelFormatException($"an HDF5 link name at offset {offset:N0} lies outside its {_dataSize:N0}-byte local heap");
        }

        // The data segment was checked to lie in the file, so an offset inside it cannot overflow.
        int window = (int)Math.Min(MaxNameBytes + 1, _dataSize - offset);
        byte[] bytes = _file.Read(_file.Resolve(_dataAddress + offset, (ulong)window, "link name"), window);
        int end = Array.IndexOf(bytes, (byte)0);
        if (end >= 0)
        {
            return Encoding.UTF8.GetString(bytes, 0, end);
        }

        if (window <= MaxNameBytes)
        {
            throw new ModelFormatException($"an HDF5 link name at offset {offset:N0} of its local heap runs to the heap's end without a terminating NUL");
        }

        return Encoding.UTF8.GetString(bytes, 0, MaxNameBytes) + "…";
    }
}
