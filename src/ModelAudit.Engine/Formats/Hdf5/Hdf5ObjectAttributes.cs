using System.Text;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// Reads the string attributes of one HDF5 object (a group or a dataset) from its attribute messages, byte by byte,
/// and for variable-length strings from the global heap. Every size and address is checked against the file (and
/// <see cref="ScanLimits.MaxHeaderBytes"/>) before anything is allocated for it.
/// <para>Dense attribute storage (a fractal heap indexed by a v2 B-tree, which the library switches to past eight
/// attributes only when the file asks for the latest format) is not read: such a file is reported, not passed. A
/// legacy Keras H5 file (h5py's default, earliest format) keeps its attributes in the header.</para>
/// </summary>
internal sealed class Hdf5ObjectAttributes
{
    // Keras and PyTables write a handful of attributes per object; thousands are crafted, and each is a read.
    public const int MaxAttributesPerObject = 1024;

    private readonly Hdf5File _file;
    private readonly Hdf5GlobalHeap _heap;
    private long _valueBytes;

    public Hdf5ObjectAttributes(Hdf5File file)
    {
        _file = file;
        _heap = new Hdf5GlobalHeap(file);
    }

    /// <summary>The value of one attribute message of the object at <paramref name="path"/>, when it is a scalar
    /// string: as text and as the bytes stored; null for any other attribute.</summary>
    public (string Name, string Value, byte[] Bytes)? Read(Hdf5Message message, string path)
    {
        if (message.IsShared)
        {
            throw new ModelFormatException($"an HDF5 attribute of {path} is a shared message (stored elsewhere), which is not read; its value is not checked", message.Body.FileAddress);
        }

        Hdf5Attribute attribute = Hdf5Attribute.Read(message.Body);
        if (!attribute.IsScalarString)
        {
            // Keras writes its configs as one string; arrays of strings are weight and layer names.
            return null;
        }

        byte[] bytes = attribute.Type.IsFixedString ? attribute.FixedStringBytes() : HeapString(attribute);

        // Attributes of a well-formed file each store their own value, so together they fit in the file; values
        // that share bytes are crafted to multiply the work.
        _valueBytes += bytes.Length;
        if (_valueBytes > _file.Length)
        {
            throw new ScanLimitExceededException("Hdf5AttributeValueBytes", $"the HDF5 attributes' values add up to more bytes than the {_file.Length:N0}-byte file holds");
        }

        return (attribute.Name, Encoding.UTF8.GetString(bytes), bytes);
    }

    /// <summary>Attribute info message (IV.A.2.v): version 0, flags, the maximum creation index (flag bit 0), then
    /// the fractal heap address, defined only when the attributes are stored densely.</summary>
    public void RefuseDenseStorage(Hdf5Cursor body, string path)
    {
        byte version = body.U8();
        if (version != 0)
        {
            throw new ModelFormatException($"HDF5 attribute info message version {version} is not 0", body.FileAddress - 1);
        }

        byte flags = body.U8();
        if ((flags & 0x01) != 0)
        {
            body.Skip(2);
        }

        if (!_file.IsUndefined(body.Offset()))
        {
            throw new ModelFormatException($"the HDF5 object {path} stores its attributes densely (a fractal heap), which is not read; they are not checked");
        }
    }

    private byte[] HeapString(Hdf5Attribute attribute)
    {
        Hdf5Cursor data = attribute.Data;
        uint length = data.U32();
        ulong collection = data.Offset();
        uint index = data.U32();
        return length == 0 ? Array.Empty<byte>() : _heap.Read(collection, index, length, $"the HDF5 attribute '{attribute.Name}'");
    }
}
