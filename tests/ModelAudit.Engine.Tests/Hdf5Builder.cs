using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// HDF5 files laid out by hand, byte by byte, from the File Format Specification 3.0, for the structures the reader
/// walks: superblock v0 or v2, a v1 or v2 root object header, attribute messages, continuation blocks and a global
/// heap collection. 8-byte offsets and lengths throughout; checksums are left zero (the reader does not verify them).
/// The file is: superblock, zero padding up to <see cref="BlobAddress"/>, a blob the test places there (a heap
/// collection, continuation blocks, whose addresses it therefore knows), then the root object header.
/// </summary>
internal static class Hdf5Builder
{
    public const int BlobAddress = 256;
    public const ulong Undefined = ulong.MaxValue;

    public const ushort AttributeType = 0x000C;
    public const ushort ContinuationType = 0x0010;
    public const ushort AttributeInfoType = 0x0015;
    public const ushort LinkInfoType = 0x0002;
    public const ushort LinkType = 0x0006;
    public const ushort SymbolTableType = 0x0011;

    public sealed record Message(ushort Type, byte[] Body, byte Flags = 0);

    /// <summary>A whole file: the superblock (version 0 or 2) pointing at <paramref name="rootHeader"/>.</summary>
    public static byte[] File(int superblockVersion, byte[] rootHeader, byte[]? blob = null)
    {
        blob ??= Array.Empty<byte>();
        int root = Padded(BlobAddress + blob.Length);
        var file = new byte[root + rootHeader.Length];
        blob.CopyTo(file, BlobAddress);
        rootHeader.CopyTo(file, root);
        Superblock(superblockVersion, (ulong)root, (ulong)file.Length).CopyTo(file, 0);
        return file;
    }

    /// <summary>A user block in front: the library finds the superblock at 512 and reads every address from there.</summary>
    public static byte[] WithUserBlock(byte[] file) => new byte[512].Concat(file).ToArray();

    private static byte[] Superblock(int version, ulong root, ulong endOfFile)
    {
        var s = new MemoryStream();
        s.Write(new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A });
        if (version == 0)
        {
            s.Write(new byte[] { 0, 0, 0, 0, 0, 8, 8, 0 }); // versions, reserved, offset and length sizes, reserved
            U16(s, 4); // group leaf node K
            U16(s, 16); // group internal node K
            U32(s, 0); // file consistency flags
            U64(s, 0); // base address
            U64(s, Undefined); // free-space info
            U64(s, endOfFile);
            U64(s, Undefined); // driver information block
            U64(s, 0); // root symbol table entry: link name offset
            U64(s, root);
            U32(s, 0); // cache type
            U32(s, 0); // reserved
            s.Write(new byte[16]); // scratch pad
        }
        else
        {
            s.Write(new byte[] { (byte)version, 8, 8, 0 });
            U64(s, 0); // base address
            U64(s, Undefined); // superblock extension
            U64(s, endOfFile);
            U64(s, root);
            U32(s, 0); // checksum
        }

        return s.ToArray();
    }

    /// <summary>A version 1 object header; <paramref name="declaredSize"/> overrides the header size field.</summary>
    public static byte[] V1Header(IEnumerable<Message> messages, uint? declaredSize = null)
    {
        byte[] body = V1Messages(messages);
        var s = new MemoryStream();
        s.Write(new byte[] { 1, 0 });
        U16(s, (ushort)messages.Count());
        U32(s, 1); // reference count
        U32(s, declaredSize ?? (uint)body.Length);
        U32(s, 0); // padding to 16
        s.Write(body);
        return s.ToArray();
    }

    /// <summary>A version 1 continuation block: messages only.</summary>
    public static byte[] V1Messages(IEnumerable<Message> messages)
    {
        var s = new MemoryStream();
        foreach (Message m in messages)
        {
            int size = Padded(m.Body.Length);
            U16(s, m.Type);
            U16(s, (ushort)size);
            s.WriteByte(m.Flags);
            s.Write(new byte[3]);
            s.Write(m.Body);
            s.Write(new byte[size - m.Body.Length]);
        }

        return s.ToArray();
    }

    /// <summary>A version 2 object header ("OHDR", 4-byte chunk size, no times, no creation order).</summary>
    public static byte[] V2Header(IEnumerable<Message> messages)
    {
        byte[] body = V2Messages(messages);
        var s = new MemoryStream();
        s.Write("OHDR"u8);
        s.Write(new byte[] { 2, 0x02 });
        U32(s, (uint)body.Length);
        s.Write(body);
        U32(s, 0); // checksum
        return s.ToArray();
    }

    /// <summary>A version 2 continuation block: "OCHK", messages, checksum.</summary>
    public static byte[] V2Continuation(IEnumerable<Message> messages)
    {
        var s = new MemoryStream();
        s.Write("OCHK"u8);
        s.Write(V2Messages(messages));
        U32(s, 0);
        return s.ToArray();
    }

    private static byte[] V2Messages(IEnumerable<Message> messages)
    {
        var s = new MemoryStream();
        foreach (Message m in messages)
        {
            s.WriteByte((byte)m.Type);
            U16(s, (ushort)m.Body.Length);
            s.WriteByte(m.Flags);
            s.Write(m.Body);
        }

        return s.ToArray();
    }

    public static Message Continuation(ulong address, ulong length)
    {
        var s = new MemoryStream();
        U64(s, address);
        U64(s, length);
        return new Message(ContinuationType, s.ToArray());
    }

    /// <summary>An attribute info message; a defined <paramref name="fractalHeap"/> means dense attribute storage.</summary>
    public static Message AttributeInfo(ulong fractalHeap)
    {
        var s = new MemoryStream();
        s.Write(new byte[] { 0, 0 });
        U64(s, fractalHeap);
        U64(s, fractalHeap == Undefined ? Undefined : 0); // name index B-tree
        return new Message(AttributeInfoType, s.ToArray());
    }

    /// <summary>A hard link message (version 1, a 1-byte name length) to the object header at <paramref name="address"/>.</summary>
    public static Message HardLink(string name, ulong address)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        var s = new MemoryStream();
        s.Write(new byte[] { 1, 0, (byte)nameBytes.Length });
        s.Write(nameBytes);
        U64(s, address);
        return new Message(LinkType, s.ToArray());
    }

    /// <summary>A soft link message (flag bit 3: the link type follows, 1) to <paramref name="target"/>.</summary>
    public static Message SoftLink(string name, string target)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        byte[] targetBytes = Encoding.UTF8.GetBytes(target);
        var s = new MemoryStream();
        s.Write(new byte[] { 1, 0x08, 1, (byte)nameBytes.Length });
        s.Write(nameBytes);
        U16(s, (ushort)targetBytes.Length);
        s.Write(targetBytes);
        return new Message(LinkType, s.ToArray());
    }

    /// <summary>A link info message; a defined <paramref name="fractalHeap"/> means dense link storage.</summary>
    public static Message LinkInfo(ulong fractalHeap)
    {
        var s = new MemoryStream();
        s.Write(new byte[] { 0, 0 });
        U64(s, fractalHeap);
        U64(s, fractalHeap == Undefined ? Undefined : 0); // name index B-tree
        return new Message(LinkInfoType, s.ToArray());
    }

    /// <summary>A symbol table message: a version 1 group's B-tree and local heap.</summary>
    public static Message SymbolTable(ulong tree, ulong heap)
    {
        var s = new MemoryStream();
        U64(s, tree);
        U64(s, heap);
        return new Message(SymbolTableType, s.ToArray());
    }

    /// <summary>A local heap placed at <paramref name="address"/>, its data segment right after its 32-byte
    /// header: an empty name at offset 0 (as the library writes), then <paramref name="names"/>, each NUL-ended and
    /// padded to 8. <paramref name="offsets"/> receives each name's offset.</summary>
    public static byte[] LocalHeap(ulong address, string[] names, out ulong[] offsets)
    {
        var data = new MemoryStream();
        data.Write(new byte[8]);
        offsets = new ulong[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            offsets[i] = (ulong)data.Length;
            byte[] bytes = Encoding.UTF8.GetBytes(names[i] + "\0");
            data.Write(bytes);
            data.Write(new byte[Padded(bytes.Length) - bytes.Length]);
        }

        var s = new MemoryStream();
        s.Write("HEAP"u8);
        s.Write(new byte[4]);
        U64(s, (ulong)data.Length);
        U64(s, Undefined); // free list
        U64(s, address + 32);
        s.Write(data.ToArray());
        return s.ToArray();
    }

    /// <summary>A version 1 B-tree node of group nodes at <paramref name="level"/> over <paramref name="children"/>
    /// (symbol table nodes at level 0, B-tree nodes above); the keys are left zero (the reader does not use them).</summary>
    public static byte[] GroupTree(int level, params ulong[] children)
    {
        var s = new MemoryStream();
        s.Write("TREE"u8);
        s.Write(new byte[] { 0, (byte)level });
        U16(s, (ushort)children.Length);
        U64(s, Undefined); // left sibling
        U64(s, Undefined); // right sibling
        foreach (ulong child in children)
        {
            U64(s, 0); // key
            U64(s, child);
        }

        U64(s, 0); // the last key
        return s.ToArray();
    }

    /// <summary>A symbol table node ("SNOD" v1) of entries: a name offset in the local heap, an object header address.</summary>
    public static byte[] SymbolNode(params (ulong NameOffset, ulong Header)[] entries)
    {
        var s = new MemoryStream();
        s.Write("SNOD"u8);
        s.Write(new byte[] { 1, 0 });
        U16(s, (ushort)entries.Length);
        foreach ((ulong nameOffset, ulong header) in entries)
        {
            U64(s, nameOffset);
            U64(s, header);
            s.Write(new byte[24]); // cache type, reserved, scratch pad
        }

        return s.ToArray();
    }

    /// <summary>A fixed-length string datatype (version 1, class 3) of <paramref name="size"/> bytes.</summary>
    public static byte[] FixedString(uint size, byte padding = 0)
    {
        var s = new MemoryStream();
        s.Write(new byte[] { 0x13, padding, 0, 0 });
        U32(s, size);
        return s.ToArray();
    }

    /// <summary>A variable-length string datatype (version 1, class 9, type string) over 1-byte characters.</summary>
    public static byte[] VlenString(uint size = 16) => Vlen(0x01, size, Int(1));

    /// <summary>A variable-length sequence of <paramref name="baseType"/>.</summary>
    public static byte[] VlenSequence(byte[] baseType) => Vlen(0x00, 16, baseType);

    private static byte[] Vlen(byte type, uint size, byte[] baseType)
    {
        var s = new MemoryStream();
        s.Write(new byte[] { 0x19, type, 0, 0 });
        U32(s, size);
        s.Write(baseType);
        return s.ToArray();
    }

    /// <summary>A little-endian unsigned integer datatype (version 1, class 0).</summary>
    public static byte[] Int(uint size)
    {
        var s = new MemoryStream();
        s.Write(new byte[] { 0x10, 0, 0, 0 });
        U32(s, size);
        U16(s, 0); // bit offset
        U16(s, (ushort)(size * 8)); // precision
        return s.ToArray();
    }

    /// <summary>A scalar dataspace (version 1, rank 0).</summary>
    public static byte[] Scalar() => new byte[] { 1, 0, 0, 0, 0, 0, 0, 0 };

    /// <summary>A one-dimensional dataspace (version 1).</summary>
    public static byte[] Simple(ulong elements)
    {
        var s = new MemoryStream();
        s.Write(new byte[] { 1, 1, 0, 0, 0, 0, 0, 0 });
        U64(s, elements);
        return s.ToArray();
    }

    /// <summary>An attribute message, version 1 (parts padded to 8) or 3 (unpadded, with a name encoding).</summary>
    public static Message Attribute(string name, byte[] datatype, byte[] dataspace, byte[] data, int version = 1)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        var s = new MemoryStream();
        s.WriteByte((byte)version);
        s.WriteByte(0);
        U16(s, (ushort)nameBytes.Length);
        U16(s, (ushort)datatype.Length);
        U16(s, (ushort)dataspace.Length);
        if (version == 3)
        {
            s.WriteByte(1); // UTF-8
        }

        foreach (byte[] part in new[] { nameBytes, datatype, dataspace })
        {
            s.Write(part);
            if (version == 1)
            {
                s.Write(new byte[Padded(part.Length) - part.Length]);
            }
        }

        s.Write(data);
        return new Message(AttributeType, s.ToArray());
    }

    /// <summary>A scalar null-terminated fixed-length string attribute holding <paramref name="value"/>.</summary>
    public static Message FixedStringAttribute(string name, string value, int version = 1)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value + "\0");
        return Attribute(name, FixedString((uint)bytes.Length), Scalar(), bytes, version);
    }

    /// <summary>A scalar variable-length string attribute: <paramref name="length"/> bytes of object
    /// <paramref name="index"/> in the global heap collection at <paramref name="collection"/>.</summary>
    public static Message VlenStringAttribute(string name, ulong collection, uint index, uint length, int version = 1)
    {
        var s = new MemoryStream();
        U32(s, length);
        U64(s, collection);
        U32(s, index);
        return Attribute(name, VlenString(), Scalar(), s.ToArray(), version);
    }

    /// <summary>A global heap collection ("GCOL" v1) holding the objects as indices 1, 2, …, and a free-space object.</summary>
    public static byte[] GlobalHeap(params byte[][] objects)
    {
        var body = new MemoryStream();
        for (int i = 0; i < objects.Length; i++)
        {
            U16(body, (ushort)(i + 1));
            U16(body, 1); // reference count
            U32(body, 0);
            U64(body, (ulong)objects[i].Length);
            body.Write(objects[i]);
            body.Write(new byte[Padded(objects[i].Length) - objects[i].Length]);
        }

        const int freeSpace = 16;
        U16(body, 0);
        U16(body, 0);
        U32(body, 0);
        U64(body, freeSpace);
        var s = new MemoryStream();
        s.Write("GCOL"u8);
        s.Write(new byte[] { 1, 0, 0, 0 });
        U64(s, (ulong)(16 + body.Length));
        s.Write(body.ToArray());
        return s.ToArray();
    }

    public static int Padded(int length) => (length + 7) & ~7;

    private static void U16(Stream s, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        s.Write(b);
    }

    private static void U32(Stream s, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        s.Write(b);
    }

    private static void U64(Stream s, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        s.Write(b);
    }
}
