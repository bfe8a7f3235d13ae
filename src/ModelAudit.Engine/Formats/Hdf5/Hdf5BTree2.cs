using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// A version 2 B-tree (specification section III.A.2): the header ("BTHD"), internal nodes ("BTIN") and leaves
/// ("BTLF"), each node of the header's node size. Internal nodes hold records too, between their children. The nodes
/// are walked with a queue, never recursion, each read once, checked against the file first and its checksum
/// verified; a node reached twice is a loop, and each node's depth is one less than its parent's. Records come back
/// as cursors over their bytes, in breadth-first order; the record type says what they are.
/// </summary>
internal static class Hdf5BTree2
{
    /// <summary>Record type 5: a group's links by name (the hash of the name, a heap ID of the link message).</summary>
    public const byte LinkNameRecords = 5;

    /// <summary>Record type 8: an object's attributes by name (a heap ID, message flags, creation order, hash).</summary>
    public const byte AttributeNameRecords = 8;

    // A node of the library's default 512 bytes holds tens of records, so a tree of depth 8 holds more records than
    // any file has objects. The bound keeps the per-depth sizes of Hdf5BTree2Layout small.
    public const int MaxDepth = 16;

    // As for the version 1 group B-trees: a million records take tens of thousands of nodes.
    public const int MaxNodes = 100_000;

    /// <summary>Signature (4), version (1), type (1) and the checksum (4) of every node.</summary>
    public const int NodeOverheadBytes = 10;

    private static ReadOnlySpan<byte> HeaderSignature => "BTHD"u8;
    private static ReadOnlySpan<byte> InternalSignature => "BTIN"u8;
    private static ReadOnlySpan<byte> LeafSignature => "BTLF"u8;

    /// <summary>The records of the tree whose header is at <paramref name="address"/>, which must be of
    /// <paramref name="type"/>; <paramref name="what"/> names the tree in messages.</summary>
    public static List<Hdf5Cursor> Records(Hdf5File file, ulong address, byte type, string what)
    {
        int o = file.SizeOfOffsets;

        // Signature, version, type, node size (4), record size (2), depth (2), split and merge percents, the root
        // node's address (O), the root's record count (2), the total record count (L), checksum.
        ulong headerBytes = (ulong)(4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + o + 2 + file.SizeOfLengths + 4);
        Hdf5Cursor header = file.Cursor(address, headerBytes, $"v2 B-tree header of {what}");
        file.CountStructureBytes(headerBytes);
        if (!header.Take(HeaderSignature.Length).SequenceEqual(HeaderSignature))
        {
            throw new ModelFormatException($"the HDF5 v2 B-tree of {what} at {address:N0} has no BTHD signature", header.FileAddress - HeaderSignature.Length);
        }

        byte version = header.U8();
        byte declaredType = header.U8();
        if (version != 0 || declaredType != type)
        {
            throw new ModelFormatException($"the HDF5 v2 B-tree of {what} has version {version} and record type {declaredType}, where version 0 and type {type} are expected", header.FileAddress - 2);
        }

        uint nodeSize = header.U32();
        ushort recordSize = header.U16();
        ushort depth = header.U16();
        header.Skip(2); // split and merge percents
        ulong root = header.Offset();
        ushort rootRecords = header.U16();
        header.Length(); // the total record count: the nodes' own counts are what is walked
        Hdf5Checksum.Verify(header, $"v2 B-tree header of {what}");
        if (depth > MaxDepth)
        {
            throw new ScanLimitExceededException(nameof(MaxDepth), $"the HDF5 v2 B-tree of {what} is {depth} levels deep, more than {MaxDepth}");
        }

        var records = new List<Hdf5Cursor>();
        if (file.IsUndefined(root))
        {
            return records;
        }

        Hdf5BTree2Layout layout = Hdf5BTree2Layout.Of(nodeSize, recordSize, depth, o, what);
        var seen = new HashSet<ulong>();
        var pending = new Queue<(ulong Address, int Records, int Depth)>();
        pending.Enqueue((root, rootRecords, depth));
        while (pending.Count > 0)
        {
            file.CancellationToken.ThrowIfCancellationRequested();
            (ulong at, int count, int level) = pending.Dequeue();
            if (!seen.Add(at))
            {
                throw new ModelFormatException($"the HDF5 v2 B-tree of {what} reaches the node at {at:N0} again: its nodes form a loop");
            }

            if (seen.Count > MaxNodes)
            {
                throw new ScanLimitExceededException(nameof(MaxNodes), $"the HDF5 v2 B-tree of {what} has more than {MaxNodes:N0} nodes");
            }

            if (count > layout.MaxRecords[level])
            {
                throw new ModelFormatException($"the HDF5 v2 B-tree node of {what} at {at:N0} declares {count:N0} records, more than its {nodeSize:N0} bytes hold");
            }

            Hdf5Cursor node = file.Cursor(at, nodeSize, $"v2 B-tree node of {what}");
            file.CountStructureBytes(nodeSize);
            ReadOnlySpan<byte> signature = level == 0 ? LeafSignature : InternalSignature;
            if (!node.Take(signature.Length).SequenceEqual(signature) || node.U8() != 0 || node.U8() != type)
            {
                throw new ModelFormatException($"the HDF5 v2 B-tree node of {what} at {at:N0} is not a version 0 {(level == 0 ? "BTLF" : "BTIN")} node of record type {type}", node.FileAddress);
            }

            for (int i = 0; i < count; i++)
            {
                records.Add(node.Slice(recordSize));
            }

            // An internal node's child pointers follow its records: an address, the child's record count and, for
            // a child that is itself internal, the count of its whole subtree.
            var children = new List<(ulong Address, int Records, int Depth)>();
            for (int i = 0; level > 0 && i <= count; i++)
            {
                ulong child = node.Offset();
                ulong childRecords = node.Unsigned(layout.RecordCountBytes);
                if (level > 1)
                {
                    node.Skip(layout.TotalRecordCountBytes[level - 1]);
                }

                if (childRecords > (ulong)layout.MaxRecords[level - 1])
                {
                    throw new ModelFormatException($"the HDF5 v2 B-tree node of {what} at {at:N0} says a child holds {childRecords:N0} records, more than a node holds");
                }

                children.Add((child, (int)childRecords, level - 1));
            }

            Hdf5Checksum.Verify(node, $"v2 B-tree node of {what} at {at:N0}");
            foreach ((ulong Address, int Records, int Depth) child in children)
            {
                pending.Enqueue(child);
            }
        }

        return records;
    }
}
