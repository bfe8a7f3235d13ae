namespace ModelAudit.Engine.Sources;

/// <summary>A remote object needed more bytes than -MaxDownloadSize allows. The engine reports it as a limit
/// (Inconclusive), not as a read error: the object is not broken, it was not read whole.</summary>
public sealed class DownloadLimitException : IOException
{
    public DownloadLimitException(string message)
        : base(message)
    {
    }
}
