using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// The links of a version 1 group (the earliest format, h5py's and PyTables' default): its symbol table message
/// (IV.A.2.r) names a version 1 B-tree ("TREE", III.A.1) of group nodes whose leaves point to symbol table nodes
/// ("SNOD", III.B) of symbol table entries (III.C: a name offset in the group's local heap, an object header
/// address). The B-tree is walked with a queue, never recursion; every node is read once per file (a node reached
/// again is a loop or a shared subtree, whose entries were already taken), each checked against the file first.
/// </summary>
internal sealed class Hdf5SymbolTable
{
    // A group node holds up to 2K entries (K is 16 by default, 4 for leaves); a million-object file has tens of
    // thousands of nodes. Past this many, the tree is built to make the walk long.
    public const int MaxNodes = 100_000;

    private static ReadOnlySpan<byte> TreeSignature => "TREE"u8;
    private static ReadOnlySpan<byte> NodeSignature => "SNOD"u8;

    private readonly Hdf5File _file;
    private readonly HashSet<ulong> _visited = new();

    public Hdf5SymbolTable(Hdf5File file) => _file = file;

    /// <summary>The (name, object header address) entries of the group whose symbol table message this is, in
    /// B-tree order.</summary>
    public List<(string Name, ulong Address)> Links(Hdf5Cursor message)
    {
        ulong tree = message.Offset();
        var heap = Hdf5LocalHeap.Read(_file, message.Offset());
        var links = new List<(string Name, ulong Address)>();
        var pending = new Queue<(ulong Address, int Level)>();
        pending.Enqueue((tree, -1));
        while (pending.Count > 0)
        {
            (ulong address, int level) = pending.Dequeue();
            if (!Visit(address))
            {
                continue;
            }

            (int nodeLevel, List<ulong> children) = TreeNode(address, level);
            foreach (ulong child in children)
            {
                if (nodeLevel > 0)
                {
                    pending.Enqueue((child, nodeLevel - 1));
                }
                else if (Visit(child))
                {
                    SymbolNode(child, heap, links);
                }
            }
        }

        return links;
    }

    private bool Visit(ulong address)
    {
        _file.CancellationToken.ThrowIfCancellationRequested();
        if (!_visited.Add(address))
        {
            return false;
        }

        if (_visited.Count > MaxNodes)
        {
            throw new ScanLimitExceededException(nameof(MaxNodes), $"the HDF5 groups' B-trees have more than {MaxNodes:N0} nodes");
        }

        return true;
    }

    // Signature, node type (0: group), level, entries used (2), left and right siblings, then entries + 1 keys
    // (a heap offset, a length) between entries children (addresses).
    private (int Level, List<ulong> Children) TreeNode(ulong address, int expectedLevel)
    {
        Hdf5Cursor head = _file.Cursor(address, 8, "group B-tree node");
        if (!head.Take(TreeSignature.Length).SequenceEqual(TreeSignature))
        {
            throw new ModelFormatException($"the HDF5 group B-tree node at {address:N0} has no TREE signature", head.FileAddress - TreeSignature.Length);
        }

        byte type = head.U8();
        byte level = head.U8();
        ushort entries = head.U16();
        if (type != 0)
        {
            throw new ModelFormatException($"the HDF5 B-tree node at {address:N0} has node type {type}, not 0 (group nodes)", head.FileAddress - 4);
        }

        // Children are one level below their parent; any other level is a tree that points back into itself.
        if (expectedLevel >= 0 && level != expectedLevel)
        {
            throw new ModelFormatException($"the HDF5 group B-tree node at {address:N0} has level {level} where its parent expects {expectedLevel}", head.FileAddress - 3);
        }

        ulong size = 8 + (2UL + entries) * (ulong)_file.SizeOfOffsets + (entries + 1UL) * (ulong)_file.SizeOfLengths;
        Hdf5Cursor node = _file.Cursor(address, size, "group B-tree node");
        _file.CountStructureBytes(size);
        node.Skip(8 + 2 * _file.SizeOfOffsets);
        var children = new List<ulong>(entries);
        for (int i = 0; i < entries; i++)
        {
            node.Length();
            children.Add(node.Offset());
        }

        return (level, children);
    }

    // Signature, version 1, reserved, number of symbols (2), then the entries: name offset, object header
    // address, cache type (4), reserved (4), scratch pad (16).
    private void SymbolNode(ulong address, Hdf5LocalHeap heap, List<(string Name, ulong Address)> links)
    {
        Hdf5Cursor head = _file.Cursor(address, 8, "symbol table node");
        if (!head.Take(NodeSignature.Length).SequenceEqual(NodeSignature))
        {
            throw new ModelFormatException($"the HDF5 symbol table node at {address:N0} has no SNOD signature", head.FileAddress - NodeSignature.Length);
        }

        byte version = head.U8();
        if (version != 1)
        {
            throw new ModelFormatException($"the HDF5 symbol table node at {address:N0} has version {version}, not 1", head.FileAddress - 1);
        }

        head.Skip(1);
        ushort symbols = head.U16();
        ulong size = 8 + symbols * (2UL * (ulong)_file.SizeOfOffsets + 24);
        Hdf5Cursor node = _file.Cursor(address, size, "symbol table node");
        _file.CountStructureBytes(size);
        node.Skip(8);
        for (int i = 0; i < symbols; i++)
        {
            ulong name = node.Offset();
            ulong header = node.Offset();
            node.Skip(24);
            links.Add((heap.Name(name), header));
        }
    }
}
