using System.Text;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// Reads the string attributes of an HDF5 file's root group, byte by byte: the superblock, the root object header
/// with its continuation blocks, its attribute messages, and for variable-length strings the global heap. Every
/// size and address is checked against the file (and <see cref="ScanLimits.MaxHeaderBytes"/>) before anything is
/// allocated for it, so no input makes the walk take much more memory than the file's own size.
/// <para>Dense attribute storage (a fractal heap indexed by a v2 B-tree, which the library switches to past eight
/// attributes only when the file asks for the latest format) is not read: such a file is reported, not passed. A
/// legacy Keras H5 file (h5py's default, earliest format) keeps its attributes in the header.</para>
/// </summary>
internal static class Hdf5RootAttributes
{
    // Keras writes a handful of root attributes; thousands are crafted, and each is a read.
    public const int MaxRootAttributes = 1024;

    /// <summary>The scalar string attributes of the root group, in header order (names may repeat in a crafted
    /// file; the library's lookup by name finds the first), as text and as the bytes stored.</summary>
    public static List<(string Name, string Value, byte[] Bytes)> Read(Stream stream, long superblockAddress, ScanContext context)
    {
        var file = new Hdf5File(stream, superblockAddress, context.Limits.MaxHeaderBytes, context.CancellationToken);
        ulong root = Hdf5Superblock.ReadRootAddress(file);
        var heap = new Hdf5GlobalHeap(file);
        var values = new List<(string Name, string Value, byte[] Bytes)>();
        int attributes = 0;
        long valueBytes = 0;
        foreach (Hdf5Message message in Hdf5ObjectHeader.Messages(file, root))
        {
            if (message.Type == Hdf5Message.AttributeInfo)
            {
                RefuseDenseStorage(file, message.Body);
                continue;
            }

            if (message.Type != Hdf5Message.Attribute)
            {
                continue;
            }

            if (++attributes > MaxRootAttributes)
            {
                throw new ScanLimitExceededException(nameof(MaxRootAttributes), $"more than {MaxRootAttributes:N0} HDF5 root attributes");
            }

            if (message.IsShared)
            {
                throw new ModelFormatException("an HDF5 root attribute is a shared message (stored elsewhere), which is not read; its value is not checked", message.Body.FileAddress);
            }

            Hdf5Attribute attribute = Hdf5Attribute.Read(message.Body);
            if (!attribute.IsScalarString)
            {
                // Keras writes its configs as one string; arrays of strings are weight and layer names.
                continue;
            }

            byte[] bytes = attribute.Type.IsFixedString ? attribute.FixedStringBytes() : HeapString(heap, attribute);

            // Attributes of a well-formed file each store their own value, so together they fit in the file; values
            // that share bytes are crafted to multiply the work.
            valueBytes += bytes.Length;
            if (valueBytes > file.Length)
            {
                throw new ScanLimitExceededException("Hdf5AttributeValueBytes", $"the HDF5 root attributes' values add up to more bytes than the {file.Length:N0}-byte file holds");
            }

            values.Add((attribute.Name, Encoding.UTF8.GetString(bytes), bytes));
        }

        return values;
    }

    private static byte[] HeapString(Hdf5GlobalHeap heap, Hdf5Attribute attribute)
    {
        Hdf5Cursor data = attribute.Data;
        uint length = data.U32();
        ulong collection = data.Offset();
        uint index = data.U32();
        return length == 0 ? Array.Empty<byte>() : heap.Read(collection, index, length, $"the HDF5 attribute '{attribute.Name}'");
    }

    // Attribute info message (IV.A.2.v): version 0, flags, the maximum creation index (flag bit 0), then the
    // fractal heap address, defined only when the attributes are stored densely.
    private static void RefuseDenseStorage(Hdf5File file, Hdf5Cursor body)
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

        if (!file.IsUndefined(body.Offset()))
        {
            throw new ModelFormatException("the HDF5 root group stores its attributes densely (a fractal heap), which is not read; they are not checked");
        }
    }
}
