namespace ModelAudit.Engine.Detection;

/// <summary>
/// Thrown by a scanner whose plausible reading turns out not to hold, before it reported anything: the bytes are not
/// its format, and a loader of that format would fail at the same point without running anything.
/// </summary>
internal sealed class NotThisFormatException : Exception
{
    public NotThisFormatException(string reason) : base(reason)
    {
    }
}
