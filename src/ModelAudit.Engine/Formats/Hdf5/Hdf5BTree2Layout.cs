using System.Numerics;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>How many records a node at each depth holds, and how wide the record counts in internal nodes'
/// child pointers are: the fewest bytes that encode the most records a child (and, for the total count, its
/// whole subtree) can hold.</summary>
internal sealed record Hdf5BTree2Layout(int[] MaxRecords, int RecordCountBytes, int[] TotalRecordCountBytes)
{
    public static Hdf5BTree2Layout Of(uint nodeSize, int recordSize, int depth, int offsetBytes, string what)
    {
        if (recordSize == 0 || nodeSize <= Hdf5BTree2.NodeOverheadBytes || (nodeSize - Hdf5BTree2.NodeOverheadBytes) / (uint)recordSize == 0)
        {
            throw new ModelFormatException($"the HDF5 v2 B-tree of {what} declares {nodeSize:N0}-byte nodes of {recordSize:N0}-byte records, which hold none");
        }

        var maxRecords = new int[depth + 1];
        var totalBytes = new int[depth + 1];
        maxRecords[0] = (int)Math.Min(int.MaxValue, (nodeSize - Hdf5BTree2.NodeOverheadBytes) / (uint)recordSize);
        ulong total = (ulong)maxRecords[0];
        int countBytes = EncodedBytes((ulong)maxRecords[0]);
        for (int level = 1; level <= depth; level++)
        {
            long pointer = offsetBytes + countBytes + (level > 1 ? totalBytes[level - 1] : 0);
            long room = nodeSize - (Hdf5BTree2.NodeOverheadBytes + pointer);
            maxRecords[level] = room <= 0 ? 0 : (int)Math.Min(int.MaxValue, room / (recordSize + pointer));

            // Saturating: a subtree that could hold more than 2^64 records needs 8 bytes to count them.
            UInt128 subtree = ((UInt128)(ulong)maxRecords[level] + 1) * total + (ulong)maxRecords[level];
            total = subtree > ulong.MaxValue ? ulong.MaxValue : (ulong)subtree;
            totalBytes[level] = EncodedBytes(total);
        }

        return new Hdf5BTree2Layout(maxRecords, countBytes, totalBytes);
    }

    // One byte more than the whole bytes of the value's highest set bit, as the library sizes these fields.
    private static int EncodedBytes(ulong value) => Math.Min(8, (BitOperations.Log2(Math.Max(value, 1)) / 8) + 1);
}
