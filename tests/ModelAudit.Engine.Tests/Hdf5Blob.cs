namespace ModelAudit.Engine.Tests;

/// <summary>
/// The blob of an <see cref="Hdf5Builder"/> file, laid out part after part (each padded to 8) from
/// <see cref="Hdf5Builder.BlobAddress"/>: a part's address is known before it is built, so a part can point to the
/// parts before it, and to itself. HDF5 structures have address-independent sizes, so a part may also point ahead
/// to <see cref="Next"/> plus the padded sizes of what will follow.
/// </summary>
internal sealed class Hdf5Blob
{
    private readonly List<byte> _bytes = new();

    /// <summary>The address the next part gets.</summary>
    public ulong Next => (ulong)(Hdf5Builder.BlobAddress + _bytes.Count);

    /// <summary>Appends <paramref name="part"/> and returns its address.</summary>
    public ulong Add(byte[] part)
    {
        ulong address = Next;
        _bytes.AddRange(part);
        _bytes.AddRange(new byte[Hdf5Builder.Padded(part.Length) - part.Length]);
        return address;
    }

    /// <summary>The address the root header gets when the file is built from this blob.</summary>
    public ulong RootAddress => (ulong)Hdf5Builder.Padded(Hdf5Builder.BlobAddress + _bytes.Count);

    public byte[] ToArray() => _bytes.ToArray();
}
