using System.Runtime.ExceptionServices;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// Walks the HDF5 object tree from the root group, breadth-first with a queue (never recursion), through hard links:
/// version 1 groups' symbol tables (<see cref="Hdf5SymbolTable"/>) and version 2 groups' link messages
/// (<see cref="Hdf5Links"/>), in the header or stored densely (a fractal heap indexed by a v2 B-tree). Attributes
/// are read from the header and from dense storage alike. Each object header is read once, whatever the number of
/// links to it (hard links may form cycles), and yields the object's string attributes and, for a dataset stored in
/// one run, where its data are; datasets' data are never read here. Every address and size is checked against the
/// file before it is read, and the caps below end the walk as a limit, never as a pass.
/// </summary>
internal static class Hdf5Tree
{
    // A pandas HDFStore holds a group and a few datasets per key, a Keras weights file a group per layer and a
    // dataset per weight: large real files have thousands of objects. Past this many, the tree is built to make the
    // walk long (each object is a header read).
    public const int MaxObjects = 100_000;

    // Real trees are a few levels deep (a Keras v3 weights file: /layers/<layer>/vars/<n>); the depth bounds the
    // length of a path, which is shown in every finding of the objects below it.
    public const int MaxDepth = 64;

    /// <summary>The objects of the file, the root first, then breadth-first in link order.</summary>
    public static IEnumerable<Hdf5Object> Walk(Hdf5File file, ulong root)
    {
        var attributes = new Hdf5ObjectAttributes(file);
        var groups = new Hdf5SymbolTable(file);
        var visited = new HashSet<ulong> { root };
        var pending = new Queue<Hdf5Node>();
        pending.Enqueue(new Hdf5Node(null, string.Empty, root, 0));
        while (pending.Count > 0)
        {
            Hdf5Node node = pending.Dequeue();
            string path = node.Path();
            var values = new List<(string Name, string Value, byte[] Bytes)>();
            var links = new List<(string Name, ulong Address)>();
            var symbolTables = new List<Hdf5Cursor>();
            var linkInfos = new List<Hdf5Cursor>();
            var attributeInfos = new List<Hdf5Cursor>();
            var dataset = new Hdf5DatasetMessages(file);
            int attributeCount = 0;
            foreach (Hdf5Message message in Hdf5ObjectHeader.Messages(file, node.Address))
            {
                dataset.Take(message);
                switch (message.Type)
                {
                    case Hdf5Message.Attribute:
                        TakeAttribute(attributes, message, path, values, ++attributeCount);
                        break;
                    case Hdf5Message.AttributeInfo:
                        attributeInfos.Add(message.Body);
                        break;
                    case Hdf5Message.Link:
                        if (Hdf5Links.Hard(message.Body) is { } link)
                        {
                            links.Add(link);
                        }

                        break;
                    case Hdf5Message.LinkInfo:
                        linkInfos.Add(message.Body);
                        break;
                    case Hdf5Message.SymbolTable:
                        symbolTables.Add(message.Body);
                        break;
                }
            }

            // Dense attributes are read after the header's own; a broken heap or index still leaves those reported
            // (and the error after them).
            ExceptionDispatchInfo? denseFailure = null;
            try
            {
                foreach (Hdf5Cursor attributeInfo in attributeInfos)
                {
                    foreach (Hdf5Message message in attributes.Dense(attributeInfo, path))
                    {
                        TakeAttribute(attributes, message, path, values, ++attributeCount);
                    }
                }
            }
            catch (Exception e) when (e is ModelFormatException or ScanLimitExceededException)
            {
                denseFailure = ExceptionDispatchInfo.Capture(e);
            }

            // The object's attributes are reported before its group nodes are read, so a broken B-tree below
            // still leaves them checked.
            yield return new Hdf5Object(path, values) { Dataset = dataset.Dataset };
            denseFailure?.Throw();

            foreach (Hdf5Cursor symbolTable in symbolTables)
            {
                links.AddRange(groups.Links(symbolTable));
            }

            foreach (Hdf5Cursor linkInfo in linkInfos)
            {
                links.AddRange(Hdf5Links.Dense(file, linkInfo, path));
            }

            foreach ((string name, ulong address) in links)
            {
                if (!visited.Add(address))
                {
                    continue;
                }

                if (visited.Count > MaxObjects)
                {
                    throw new ScanLimitExceededException(nameof(MaxObjects), $"the HDF5 file links more than {MaxObjects:N0} objects");
                }

                if (node.Depth + 1 > MaxDepth)
                {
                    throw new ScanLimitExceededException(nameof(MaxDepth), $"the HDF5 object tree is deeper than {MaxDepth} groups, at {path}");
                }

                pending.Enqueue(new Hdf5Node(node, name, address, node.Depth + 1));
            }
        }
    }

    // Attributes in the header and in dense storage count alike against the bound, and are read alike.
    private static void TakeAttribute(Hdf5ObjectAttributes attributes, Hdf5Message message, string path, List<(string Name, string Value, byte[] Bytes)> values, int count)
    {
        if (count > Hdf5ObjectAttributes.MaxAttributesPerObject)
        {
            throw new ScanLimitExceededException(nameof(Hdf5ObjectAttributes.MaxAttributesPerObject), $"more than {Hdf5ObjectAttributes.MaxAttributesPerObject:N0} HDF5 attributes on {path}");
        }

        if (attributes.Read(message, path) is { } value)
        {
            values.Add(value);
        }
    }
}
