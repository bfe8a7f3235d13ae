namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// A dataspace message (specification section IV.A.2.b), versions 1 and 2, read for its dimensions and number of
/// elements: 1 for a scalar (no dimensions), 0 for a null dataspace, else the product of the dimensions (one that
/// overflows is malformed).
/// </summary>
internal static class Hdf5Dataspace
{
    // The library's H5S_MAX_RANK: it refuses a dataspace of higher rank.
    private const int MaxRank = 32;

    public static ulong ElementCount(Hdf5Cursor cursor) => Dimensions(cursor) is { } dimensions ? Product(dimensions, cursor.FileAddress) : 0;

    /// <summary>The dimensions, slowest-varying first (empty for a scalar), or null for a null dataspace.</summary>
    public static ulong[]? Dimensions(Hdf5Cursor cursor)
    {
        long at = cursor.FileAddress;
        byte version = cursor.U8();
        int rank = cursor.U8();
        cursor.U8(); // flags: maximum dimensions (and, in v1, a permutation that was never implemented) follow the sizes
        bool scalar;
        switch (version)
        {
            case 1:
                cursor.Skip(1 + 4); // reserved
                scalar = rank == 0;
                break;
            case 2:
                byte type = cursor.U8();
                if (type == 2)
                {
                    return null;
                }

                if (type > 2)
                {
                    throw new ModelFormatException($"HDF5 dataspace type {type} is not one the format defines", at);
                }

                scalar = type == 0;
                break;
            default:
                throw new ModelFormatException($"HDF5 dataspace version {version} is not one the format defines (1 or 2)", at);
        }

        if (rank > MaxRank)
        {
            throw new ModelFormatException($"an HDF5 dataspace of rank {rank}, more than the {MaxRank} the library allows", at);
        }

        if (scalar)
        {
            return Array.Empty<ulong>();
        }

        var dimensions = new ulong[rank];
        for (int i = 0; i < rank; i++)
        {
            dimensions[i] = cursor.Length();
        }

        Product(dimensions, at);
        return dimensions;
    }

    private static ulong Product(ulong[] dimensions, long at)
    {
        ulong count = 1;
        foreach (ulong dimension in dimensions)
        {
            if (dimension != 0 && count > ulong.MaxValue / dimension)
            {
                throw new ModelFormatException("an HDF5 dataspace whose dimensions multiply past 2^64 elements", at);
            }

            count *= dimension;
        }

        return count;
    }
}
