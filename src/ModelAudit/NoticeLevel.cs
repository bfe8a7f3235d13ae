namespace ModelAudit.Commands;

/// <summary>How loudly the cmdlets report something the file walk skipped.</summary>
internal enum NoticeLevel
{
    /// <summary>Expected and asked for (a file left out by -Include); shown with -Verbose.</summary>
    Verbose,

    /// <summary>Not scanned although it might matter (a folder link outside the root, a dangling link).</summary>
    Warning,

    /// <summary>Could not be read at all.</summary>
    Error,
}
