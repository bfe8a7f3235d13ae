using ModelAudit.Engine.IO;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// The seekable HDF5 file, read by address. Addresses in the file are relative to the superblock (the HDF5 library
/// takes the superblock's position as the base address, whatever the field says, so a user block in front shifts
/// them all). Every block is checked against the file's length before a byte is allocated for it: a block can never
/// be longer than the file that holds it, which is what bounds memory by the input's size.
/// </summary>
internal sealed class Hdf5File
{
    private readonly Stream _stream;
    private ulong _structureBytes;

    public Hdf5File(Stream stream, long superblockAddress, int maxBlockBytes, CancellationToken cancellationToken)
    {
        _stream = stream;
        MaxBlockBytes = maxBlockBytes;
        Length = stream.Length;
        SuperblockAddress = superblockAddress;
        CancellationToken = cancellationToken;
    }

    public long Length { get; }

    public long SuperblockAddress { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>The largest block read whole (a header chunk, a string): <see cref="ScanLimits.MaxHeaderBytes"/>, as
    /// for every other format's metadata. Within a file, the file's length bounds a block first.</summary>
    public int MaxBlockBytes { get; }

    public int SizeOfOffsets { get; set; } = 8;

    public int SizeOfLengths { get; set; } = 8;

    /// <summary>Counts the bytes of a structure the tree walk reads once (an object header chunk, a B-tree node, a
    /// symbol table node): distinct structures of a well-formed file never overlap, so together they fit in the file.
    /// More is a file whose addresses point into each other's bytes to multiply the work.</summary>
    public void CountStructureBytes(ulong length)
    {
        _structureBytes += length;
        if (_structureBytes > (ulong)Length)
        {
            throw new ScanLimitExceededException("Hdf5StructureBytes", $"the HDF5 object headers and group nodes read add up to more bytes than the {Length:N0}-byte file holds");
        }
    }

    /// <summary>The "undefined address" of this file: every bit of an offset set.</summary>
    public bool IsUndefined(ulong address) => address == (SizeOfOffsets == 8 ? ulong.MaxValue : (1UL << (8 * SizeOfOffsets)) - 1);

    /// <summary>The absolute position of a relative address, checked to leave <paramref name="length"/> bytes before
    /// the end of the file.</summary>
    public long Resolve(ulong address, ulong length, string what)
    {
        ulong room = (ulong)(Length - SuperblockAddress);
        if (IsUndefined(address) || address > room || length > room - address)
        {
            throw new ModelFormatException($"the HDF5 {what} at address {address:N0} ({length:N0} bytes) lies past the end of the {Length:N0}-byte file");
        }

        return SuperblockAddress + (long)address;
    }

    /// <summary>Reads <paramref name="length"/> bytes at an absolute position already checked by <see cref="Resolve"/>.</summary>
    public byte[] Read(long position, int length)
    {
        CancellationToken.ThrowIfCancellationRequested();
        byte[] bytes = new byte[length];
        _stream.Position = position;
        if (_stream.ReadAtMost(bytes) != length)
        {
            throw new ModelFormatException("the HDF5 file ended inside a structure", position);
        }

        return bytes;
    }

    /// <summary>A cursor over <paramref name="length"/> bytes at a relative address.</summary>
    public Hdf5Cursor Cursor(ulong address, ulong length, string what)
    {
        long position = Resolve(address, length, what);
        if (length > (ulong)MaxBlockBytes)
        {
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxHeaderBytes), $"the HDF5 {what} is {length:N0} bytes, more than {MaxBlockBytes:N0}");
        }

        return CursorAt(position, (int)length);
    }

    /// <summary>A cursor over bytes at an absolute position already checked by <see cref="Resolve"/>.</summary>
    public Hdf5Cursor CursorAt(long position, int length) =>
        new(Read(position, length), 0, length, position, SizeOfOffsets, SizeOfLengths);
}
