namespace ModelAudit.Engine.Formats.Dvc;

/// <summary>An output a DVC pointer or lock file names: its workspace path (relative to the pointer's folder), the
/// md5 its cache object is stored under (<c>….dir</c> for a folder), its size when recorded, and whether it uses the
/// DVC 3 cache layout (<c>hash: md5</c>, objects under <c>files/md5/</c>) or the DVC 2 one.</summary>
internal sealed record DvcOutput(string Path, string Md5, long? Size, bool Dvc3Layout, long Offset)
{
    /// <summary>True for a folder output, whose cache object lists its files.</summary>
    public bool IsDirectory => Md5.EndsWith(".dir", StringComparison.Ordinal);
}
