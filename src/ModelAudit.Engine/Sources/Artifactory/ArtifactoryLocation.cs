namespace ModelAudit.Engine.Sources.Artifactory;

/// <summary>
/// A JFrog Artifactory file or folder URL, <c>https://host[/prefix]/artifactory/repo[/path]</c>: the Artifactory base
/// (up to and including the <c>artifactory</c> segment), the repository key and the path in it.
/// </summary>
public sealed record ArtifactoryLocation(Uri Base, string Repository, string Path)
{
    /// <summary>The download (and display) URL of a path in the repository.</summary>
    public Uri UrlFor(string path) => new(Base, Escape(Repository) + (path.Length == 0 ? string.Empty : "/" + Escape(path)));

    /// <summary>The storage API URL of a path in the repository.</summary>
    public Uri StorageFor(string path, string query = "") =>
        new(Base, "api/storage/" + Escape(Repository) + (path.Length == 0 ? string.Empty : "/" + Escape(path)) + query);

    /// <summary>Parses an http(s) URL with an <c>artifactory</c> path segment followed by a repository; null otherwise.
    /// <c>/artifactory/api/…</c> is the REST API, not a repository.</summary>
    public static ArtifactoryLocation? TryParse(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            return null;
        }

        string[] segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        int at = Array.FindIndex(segments, s => string.Equals(s, "artifactory", StringComparison.OrdinalIgnoreCase));
        if (at < 0 || at + 1 >= segments.Length || segments[at + 1] == "api"
            || segments.Skip(at + 1).Any(s => s is "." or ".." || s.Contains('\\')))
        {
            return null;
        }

        var root = new Uri(uri, "/" + string.Join('/', segments.Take(at + 1).Select(Uri.EscapeDataString)) + "/");
        return new ArtifactoryLocation(root, segments[at + 1], string.Join('/', segments.Skip(at + 2)));
    }

    private static string Escape(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}
