using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// A datatype message (specification section IV.A.2.d), read as far as the attribute walk needs: the class, the
/// element size, and for strings how they are stored. Fixed-length strings (class 3) sit in the attribute's data;
/// variable-length strings (class 9, type 1) are references into a global heap. The properties of the other classes
/// are skipped by the datatype field's declared size; only the classes built on a base type (variable-length,
/// array, enumeration) are descended into, so a datatype that nests past <see cref="MaxNesting"/> is refused.
/// </summary>
internal sealed record Hdf5Datatype(Hdf5DatatypeClass Class, uint Size, bool IsVariableLengthString, byte StringPadding)
{
    /// <summary>Bit 0 of a number class's bit field: 1 for big-endian (bit 6 of a float, VAX order, is big-endian too
    /// in what matters here: not the little-endian order weight analysis decodes).</summary>
    public bool IsLittleEndian { get; init; } = true;

    /// <summary>Bit 3 of a fixed-point class's bit field.</summary>
    public bool IsSigned { get; init; }

    /// <summary>The NumPy-style name of a number type (&lt;f4, &gt;f8, |i1, &lt;u2), or null for other classes.</summary>
    public string? NumberName => Class switch
    {
        Hdf5DatatypeClass.FloatingPoint => (IsLittleEndian ? "<f" : ">f") + Size,
        Hdf5DatatypeClass.FixedPoint when Size == 1 => IsSigned ? "|i1" : "|u1",
        Hdf5DatatypeClass.FixedPoint => (IsLittleEndian ? "<" : ">") + (IsSigned ? "i" : "u") + Size,
        _ => null,
    };

    // numpy and h5py nest a dtype a few levels deep (an array of a compound of a vlen); the specification sets no
    // bound, so one is set here, far above that, well below what the stack could take.
    public const int MaxNesting = 16;

    // Fixed-length string padding (bits 0-3 of the class bit field): 0 null-terminated, 1 null-padded, 2 space-padded.
    public const byte NullTerminated = 0;
    public const byte SpacePadded = 2;

    public bool IsFixedString => Class == Hdf5DatatypeClass.String;

    public static Hdf5Datatype Read(Hdf5Cursor cursor, int depth)
    {
        if (depth > MaxNesting)
        {
            throw new ScanLimitExceededException(nameof(MaxNesting), $"an HDF5 datatype nests more than {MaxNesting} base types deep", cursor.FileAddress);
        }

        byte classAndVersion = cursor.U8();
        int version = classAndVersion >> 4;
        if (version is < 1 or > 5)
        {
            throw new ModelFormatException($"HDF5 datatype version {version} is not one the format defines", cursor.FileAddress - 1);
        }

        var type = (Hdf5DatatypeClass)(classAndVersion & 0x0F);
        ReadOnlySpan<byte> bits = cursor.Take(3);
        uint size = cursor.U32();
        switch (type)
        {
            case Hdf5DatatypeClass.String:
                return new Hdf5Datatype(type, size, false, (byte)(bits[0] & 0x0F));
            case Hdf5DatatypeClass.VariableLength:
                Read(cursor, depth + 1);
                return new Hdf5Datatype(type, size, (bits[0] & 0x0F) == 1, 0);
            case Hdf5DatatypeClass.Array:
                int rank = cursor.U8();
                cursor.Skip(version < 3 ? 3 + 8 * rank : 4 * rank); // v2: reserved, dimensions and permutations
                Read(cursor, depth + 1);
                return new Hdf5Datatype(type, size, false, 0);
            case Hdf5DatatypeClass.Enumerated:
                Read(cursor, depth + 1); // the names and values that follow are not needed
                return new Hdf5Datatype(type, size, false, 0);
            case Hdf5DatatypeClass.FloatingPoint:
                return new Hdf5Datatype(type, size, false, 0) { IsLittleEndian = (bits[0] & 0x41) == 0 };
            case Hdf5DatatypeClass.FixedPoint:
                return new Hdf5Datatype(type, size, false, 0) { IsLittleEndian = (bits[0] & 0x01) == 0, IsSigned = (bits[0] & 0x08) != 0 };
            default:
                return new Hdf5Datatype(type, size, false, 0);
        }
    }
}
