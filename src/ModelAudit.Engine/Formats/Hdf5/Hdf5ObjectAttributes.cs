using System.Text;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// Reads the string attributes of one HDF5 object (a group or a dataset) from its attribute messages, byte by byte,
/// and for variable-length strings from the global heap. Every size and address is checked against the file (and
/// <see cref="ScanLimits.MaxHeaderBytes"/>) before anything is allocated for it.
/// <para>Dense attribute storage (attribute messages as objects of a fractal heap, indexed by a v2 B-tree, which the
/// library switches to past eight attributes when the file asks for the latest format or tracks creation order) is
/// read through the same index the library uses, and each message as one in the header is.</para>
/// </summary>
internal sealed class Hdf5ObjectAttributes
{
    // Keras and PyTables write a handful of attributes per object; thousands are crafted, and each is a read.
    public const int MaxAttributesPerObject = 1024;

    // An attribute name record (type 8) ends with the message flags (1), the creation order (4) and the name's hash (4).
    private const int NameRecordTailBytes = 1 + 4 + 4;

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

    /// <summary>The attribute messages an Attribute Info message's dense storage holds, in its name index's order;
    /// none when the attributes are in the header (the heap address undefined). Attribute info message (IV.A.2.v):
    /// version 0, flags, the maximum creation index (flag bit 0), the fractal heap's address, the name index's v2
    /// B-tree, then (flag bit 1) a creation order index, which must index the same attributes
    /// (<see cref="Hdf5CreationOrderIndex"/>). Each record of the name index is a heap ID, the message's flags (a
    /// shared one is refused as in a header), its creation order (4) and the name's hash (4).</summary>
    public List<Hdf5Message> Dense(Hdf5Cursor body, string path)
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

        var messages = new List<Hdf5Message>();
        ulong heapAddress = body.Offset();
        if (_file.IsUndefined(heapAddress))
        {
            return messages;
        }

        ulong nameIndex = body.Offset();
        ulong? orderIndex = (flags & 0x02) != 0 ? body.Offset() : null;
        string what = $"the dense attributes of {path}";
        Hdf5FractalHeap heap = Hdf5FractalHeap.Read(_file, heapAddress, what);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int idLength = 0;
        foreach (Hdf5Cursor record in Hdf5BTree2.Records(_file, nameIndex, Hdf5BTree2.AttributeNameRecords, what))
        {
            ReadOnlySpan<byte> id = record.Take(Math.Max(record.Remaining - NameRecordTailBytes, 0));
            idLength = id.Length;
            ids.Add(Convert.ToHexString(id));
            byte messageFlags = record.U8();
            messages.Add(new Hdf5Message(Hdf5Message.Attribute, messageFlags, heap.Object(id)));
        }

        if (orderIndex is { } order && !_file.IsUndefined(order))
        {
            // A creation order record (type 9) begins with the heap ID.
            Hdf5CreationOrderIndex.Check(_file, order, Hdf5CreationOrderIndex.AttributeRecords, 0, idLength, ids, what);
        }

        return messages;
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
