namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// The second index of dense storage that tracks creation order (a link info or attribute info message's flag bit
/// 1): a v2 B-tree over the same heap objects as the name index, which the library iterates instead when the file is
/// opened with creation order tracked (h5py's track_order). The walk reads objects through the name index; the two
/// must name the same heap IDs, else what one reader sees is not what another does, and the file is malformed.
/// </summary>
internal static class Hdf5CreationOrderIndex
{
    /// <summary>Record type 6: a group's links by creation order (the order, 8 bytes, then the heap ID).</summary>
    public const byte LinkRecords = 6;

    /// <summary>Record type 9: an object's attributes by creation order (the heap ID, message flags, the order).</summary>
    public const byte AttributeRecords = 9;

    /// <summary>Checks that the index at <paramref name="address"/> names exactly <paramref name="nameIds"/>: each
    /// record's heap ID is the <paramref name="idLength"/> bytes at <paramref name="idOffset"/>.</summary>
    public static void Check(Hdf5File file, ulong address, byte type, int idOffset, int idLength, IReadOnlySet<string> nameIds, string what)
    {
        var orderIds = new HashSet<string>(StringComparer.Ordinal);
        int records = 0;
        foreach (Hdf5Cursor record in Hdf5BTree2.Records(file, address, type, $"{what} (creation order index)"))
        {
            record.Skip(idOffset);
            orderIds.Add(Convert.ToHexString(record.Take(idLength)));
            records++;
        }

        if (records != orderIds.Count || !orderIds.SetEquals(nameIds))
        {
            throw new ModelFormatException($"the HDF5 creation order index of {what} does not name the objects its name index does: readers that iterate by creation order see other links or attributes than the name index holds");
        }
    }
}
