namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// The superblock (HDF5 File Format Specification 3.0, section II.A), versions 0 to 3: the sizes of offsets and
/// lengths, the end-of-file address and where the root group's object header is. Versions 0 and 1 name the root
/// group by a symbol table entry; 2 and 3 by its object header address. The checksum of 2 and 3 is not verified: a
/// bad one makes the library refuse the file, so reading it anyway can only show more, never hide anything.
/// </summary>
internal static class Hdf5Superblock
{
    // Signature (8) and the version byte; the longest superblock (v1, 8-byte offsets) is 8 + 16 + 4 + 4 * 8 + 40 bytes.
    private const int SignatureLength = 8;
    private const int MaxSuperblockBytes = 128;

    /// <summary>Reads the superblock at <see cref="Hdf5File.SuperblockAddress"/>, sets the file's offset and length
    /// sizes and returns the root group's object header address.</summary>
    public static ulong ReadRootAddress(Hdf5File file)
    {
        int available = (int)Math.Min(MaxSuperblockBytes, file.Length - file.SuperblockAddress);
        Hdf5Cursor cursor = file.CursorAt(file.SuperblockAddress, available);
        cursor.Skip(SignatureLength);
        byte version = cursor.U8();
        ulong root;
        ulong endOfFile;
        switch (version)
        {
            case 0 or 1:
                cursor.Skip(4); // free-space, root symbol table and shared header versions, reserved
                SetSizes(file, cursor.U8(), cursor.U8());
                cursor.Skip(1 + 2 + 2 + 4); // reserved, group leaf and internal node K, file consistency flags
                if (version == 1)
                {
                    cursor.Skip(2 + 2); // indexed storage internal node K, reserved
                }

                cursor = Resized(cursor, file);
                cursor.Offset(); // base address: the library uses the superblock's position instead
                cursor.Offset(); // free-space info
                endOfFile = cursor.Offset();
                cursor.Offset(); // driver information block
                cursor.Offset(); // root symbol table entry: link name offset
                root = cursor.Offset();
                break;
            case 2 or 3:
                SetSizes(file, cursor.U8(), cursor.U8());
                cursor.Skip(1); // file consistency flags
                cursor = Resized(cursor, file);
                cursor.Offset(); // base address
                cursor.Offset(); // superblock extension
                endOfFile = cursor.Offset();
                root = cursor.Offset();
                break;
            default:
                throw new ModelFormatException($"HDF5 superblock version {version} is not one the format defines (0 to 3)", file.SuperblockAddress);
        }

        // The library refuses a file shorter than its recorded end ("truncated file"): what is missing may be anything.
        if (file.IsUndefined(endOfFile) || endOfFile > (ulong)(file.Length - file.SuperblockAddress))
        {
            throw new ModelFormatException($"the HDF5 file is truncated: its superblock records {endOfFile:N0} bytes, {file.Length - file.SuperblockAddress:N0} are present");
        }

        return root;
    }

    private static void SetSizes(Hdf5File file, byte offsets, byte lengths)
    {
        // The specification allows 2, 4 and 8 (and the library 16, never written); anything else is not HDF5.
        if (offsets is not (2 or 4 or 8) || lengths is not (2 or 4 or 8))
        {
            throw new ModelFormatException($"the HDF5 superblock declares {offsets}-byte offsets and {lengths}-byte lengths (2, 4 or 8 are valid)", file.SuperblockAddress);
        }

        file.SizeOfOffsets = offsets;
        file.SizeOfLengths = lengths;
    }

    // The cursor was made before the sizes were known; the rest of the superblock is read with them.
    private static Hdf5Cursor Resized(Hdf5Cursor cursor, Hdf5File file)
    {
        int consumed = cursor.Position;
        Hdf5Cursor resized = file.CursorAt(file.SuperblockAddress, consumed + cursor.Remaining);
        resized.Skip(consumed);
        return resized;
    }
}
