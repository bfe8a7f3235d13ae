namespace ModelAudit.Engine.Reporting;

/// <summary>How a result's path appears in SARIF and CycloneDX: relative to the base folder when it lies under it
/// (so a report made in a CI checkout maps onto the repository), else an absolute URI.</summary>
internal static class ReportLocations
{
    public const string BaseId = "SRCROOT";

    /// <summary>The relative URI (forward slashes) under <paramref name="basePath"/>, or null when the path is elsewhere.</summary>
    public static string? Relative(string path, string? basePath)
    {
        if (basePath is null || !Path.IsPathFullyQualified(path))
        {
            return null;
        }

        string relative = Path.GetRelativePath(basePath, path);
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathFullyQualified(relative))
        {
            return null;
        }

        return Escape(relative.Replace('\\', '/'));
    }

    /// <summary>An absolute URI for <paramref name="path"/>: <c>file:</c> for a local path, the text itself for a URI.</summary>
    public static string Absolute(string path) =>
        Path.IsPathFullyQualified(path) ? new Uri(path).AbsoluteUri : path;

    /// <summary>The base folder as a <c>file:</c> URI ending in a slash, as SARIF requires of <c>originalUriBaseIds</c>.</summary>
    public static string BaseUri(string basePath)
    {
        string uri = new Uri(Path.GetFullPath(basePath)).AbsoluteUri;
        return uri.EndsWith('/') ? uri : uri + "/";
    }

    // Each segment is escaped on its own so '/' stays a separator and '#', '%', spaces do not break the URI.
    private static string Escape(string relative) => string.Join('/', relative.Split('/').Select(Uri.EscapeDataString));
}
