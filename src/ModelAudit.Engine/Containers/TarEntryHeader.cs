namespace ModelAudit.Engine.Containers;

/// <summary>One tar entry: its name, type flag, data size, link target (for links) and data offset.</summary>
internal sealed record TarEntryHeader(string Name, char Type, long Size, string? LinkTarget, long DataOffset)
{
    public bool IsDirectory => Type == '5' || (Name.EndsWith('/') && Size == 0);

    /// <summary>Regular, contiguous and GNU sparse files all carry data worth scanning (sparse: its stored segments).</summary>
    public bool IsRegularFile => Type is '0' or '\0' or '7' or 'S';
}
