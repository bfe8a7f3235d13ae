namespace ModelAudit.Engine.Formats.Orbax;

/// <summary>One B+tree root a manifest or version tree leaf references: its generation, the root node's height, and
/// where the root node is (a row of the data file table, an offset and a length; length 0 is an empty tree).</summary>
internal readonly record struct OcdbtVersionRef(ulong Generation, int RootHeight, int DataFile, ulong Offset, ulong Length);
