namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>A protocol-0 text argument: the bytes kept (a prefix when it is long), its full length and its last byte.</summary>
internal readonly record struct PickleLine(byte[] Kept, long Length, byte Last)
{
    /// <summary>True when only a prefix of the line was kept.</summary>
    public bool IsTruncated => Length > Kept.Length;
}
