namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>One object of the HDF5 tree (a group, a dataset or a named datatype): its path from the root, by the
/// first hard links that reached it, and its scalar string attributes in header order (names may repeat in a crafted
/// file; the library's lookup by name finds the first).</summary>
internal sealed record Hdf5Object(string Path, IReadOnlyList<(string Name, string Value, byte[] Bytes)> Attributes)
{
    public const string RootPath = "/";

    public bool IsRoot => Path == RootPath;

    /// <summary>Where a dataset's data are, when it is one stored in one run.</summary>
    public Hdf5Dataset? Dataset { get; init; }
}
