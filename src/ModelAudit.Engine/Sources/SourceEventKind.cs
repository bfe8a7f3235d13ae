namespace ModelAudit.Engine.Sources;

/// <summary>Things the file walk reports instead of scanning.</summary>
public enum SourceEventKind
{
    /// <summary>A symbolic link points outside the scanned root; not followed.</summary>
    LinkOutsideRoot,

    /// <summary>A symbolic link leads back into a folder already being walked; not followed.</summary>
    LinkLoop,

    /// <summary>A folder or file could not be read; the walk goes on.</summary>
    Unreadable,
}
