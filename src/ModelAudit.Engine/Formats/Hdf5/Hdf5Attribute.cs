using System.Text;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// An attribute message (type 0x000C, specification section IV.A.2.m), versions 1 to 3: the name, the datatype, the
/// number of elements, and a cursor over the data. The data the datatype and dataspace declare must fit in the
/// message that holds it: nothing is allocated for what they claim, only for bytes that are there.
/// </summary>
internal sealed record Hdf5Attribute(string Name, Hdf5Datatype Type, ulong ElementCount, Hdf5Cursor Data)
{
    // Attribute flags (v2, v3): the datatype or the dataspace is a reference to a shared message elsewhere.
    private const byte SharedParts = 0x03;

    /// <summary>What a variable-length element stores in the data: a sequence length (4), then a global heap ID
    /// (collection address, object index 4).</summary>
    public static int VariableLengthElementBytes(Hdf5Cursor cursor) => 4 + cursor.SizeOfOffsets + 4;

    public bool IsScalarString => ElementCount == 1 && (Type.IsFixedString || Type.IsVariableLengthString);

    public static Hdf5Attribute Read(Hdf5Cursor body)
    {
        long at = body.FileAddress;
        byte version = body.U8();
        if (version is < 1 or > 3)
        {
            throw new ModelFormatException($"HDF5 attribute message version {version} is not one the format defines (1 to 3)", at);
        }

        byte flags = body.U8(); // reserved in v1
        int nameSize = body.U16();
        int datatypeSize = body.U16();
        int dataspaceSize = body.U16();
        if (version == 3)
        {
            body.U8(); // name character set; both ASCII and UTF-8 are read as UTF-8
        }

        if (version > 1 && (flags & SharedParts) != 0)
        {
            throw new ModelFormatException("an HDF5 attribute whose datatype or dataspace is shared (stored elsewhere) is not read; its value is not checked", at);
        }

        // Version 1 pads the name, datatype and dataspace each to a multiple of 8 bytes.
        Func<int, int> padded = version == 1 ? Hdf5Cursor.PaddedTo8 : n => n;
        string name = DecodeName(body.Slice(padded(nameSize)).Take(nameSize));
        Hdf5Datatype type = Hdf5Datatype.Read(body.Slice(padded(datatypeSize)), 0);
        ulong count = Hdf5Dataspace.ElementCount(body.Slice(padded(dataspaceSize)));

        if (type.IsVariableLengthString || type.Class == Hdf5DatatypeClass.VariableLength)
        {
            if (type.Size < (uint)VariableLengthElementBytes(body))
            {
                throw new ModelFormatException($"the HDF5 attribute '{name}' has variable-length elements of {type.Size} bytes, too few for a heap reference", at);
            }
        }

        if (count != 0 && type.Size > (ulong)body.Remaining / count)
        {
            throw new ModelFormatException(
                $"the HDF5 attribute '{name}' declares {count:N0} elements of {type.Size:N0} bytes, more than the {body.Remaining:N0} its message holds", at);
        }

        return new Hdf5Attribute(name, type, count, body);
    }

    /// <summary>The value of a scalar fixed-length string, as h5py hands it to Keras: up to the first NUL of a
    /// null-terminated one, else without the trailing padding.</summary>
    public byte[] FixedStringBytes()
    {
        ReadOnlySpan<byte> value = Data.Take(checked((int)Type.Size));
        if (Type.StringPadding == Hdf5Datatype.NullTerminated)
        {
            int end = value.IndexOf((byte)0);
            return (end < 0 ? value : value[..end]).ToArray();
        }

        return value.TrimEnd(Type.StringPadding == Hdf5Datatype.SpacePadded ? " \0"u8 : "\0"u8).ToArray();
    }

    private static string DecodeName(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}
