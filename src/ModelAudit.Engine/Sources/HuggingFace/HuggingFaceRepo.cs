namespace ModelAudit.Engine.Sources.HuggingFace;

/// <summary>
/// A Hugging Face repository reference: kind (model, dataset, space), id (<c>org/name</c>), revision and an optional
/// path inside it. Parsed from <c>hf://[datasets/|spaces/]org/repo[@revision][/path]</c> and from Hub web URLs
/// (<c>https://huggingface.co/[datasets/|spaces/]org/repo[/tree|blob|resolve/revision/path]</c>).
/// </summary>
public sealed record HuggingFaceRepo(string Kind, string Id, string Revision, string Path)
{
    /// <summary>The branch the Hub serves when none is named.</summary>
    public const string DefaultRevision = "main";

    /// <summary>Hosts that are the Hub itself (a mirror is recognised through HF_ENDPOINT).</summary>
    public static readonly IReadOnlyList<string> HubHosts = new[] { "huggingface.co", "www.huggingface.co", "hf.co" };

    /// <summary>The API path segment for the kind: models, datasets or spaces.</summary>
    public string ApiKind => Kind + "s";

    /// <summary>The prefix before the id in download URLs: nothing for models, <c>datasets/</c> or <c>spaces/</c>.</summary>
    public string UrlPrefix => Kind == "model" ? string.Empty : ApiKind + "/";

    /// <summary>The display URI of a file in the repository; results carry it as their path.</summary>
    public string DisplayFor(string filePath) => $"hf://{UrlPrefix}{Id}@{Revision}" + (filePath.Length == 0 ? string.Empty : "/" + filePath);

    /// <summary>Parses <paramref name="text"/>; null when it is not a Hugging Face reference. <paramref name="mirrorHost"/>
    /// is the host of HF_ENDPOINT, whose web URLs are Hub URLs too.</summary>
    public static HuggingFaceRepo? TryParse(string text, string? mirrorHost)
    {
        if (text.StartsWith("hf://", StringComparison.OrdinalIgnoreCase))
        {
            return ParseHf(text["hf://".Length..]);
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return null;
        }

        bool hub = HubHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase)
            || (mirrorHost is not null && string.Equals(uri.Authority, mirrorHost, StringComparison.OrdinalIgnoreCase));
        return hub ? ParseWeb(uri) : null;
    }

    private static HuggingFaceRepo? ParseHf(string rest)
    {
        string[] parts = Split(rest);
        var (kind, skip) = KindOf(parts);
        if (parts.Length < skip + 2)
        {
            return null;
        }

        string name = parts[skip + 1];
        string revision = DefaultRevision;
        int at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            revision = Uri.UnescapeDataString(name[(at + 1)..]);
            name = name[..at];
        }

        return Valid(kind, parts[skip], name, revision, parts.Skip(skip + 2));
    }

    private static HuggingFaceRepo? ParseWeb(Uri uri)
    {
        string[] parts = Split(uri.AbsolutePath);
        var (kind, skip) = KindOf(parts);
        if (parts.Length < skip + 2)
        {
            return null;
        }

        string revision = DefaultRevision;
        IEnumerable<string> path = Array.Empty<string>();
        if (parts.Length >= skip + 4 && parts[skip + 2] is "tree" or "blob" or "resolve")
        {
            revision = Uri.UnescapeDataString(parts[skip + 3]);
            path = parts.Skip(skip + 4);
        }
        else if (parts.Length > skip + 2)
        {
            return null; // another Hub page (discussions, commits): not a file or folder
        }

        return Valid(kind, parts[skip], parts[skip + 1], revision, path);
    }

    private static HuggingFaceRepo? Valid(string kind, string owner, string name, string revision, IEnumerable<string> path)
    {
        string[] segments = path.Select(Uri.UnescapeDataString).ToArray();

        // A reference that walks out of the repository is not a reference to it.
        if (owner.Length == 0 || name.Length == 0 || revision.Length == 0 || segments.Any(s => s is "." or ".." || s.Contains('\\')))
        {
            return null;
        }

        return new HuggingFaceRepo(kind, owner + "/" + name, revision, string.Join('/', segments));
    }

    private static (string Kind, int Skip) KindOf(string[] parts) => parts.Length > 0 ? parts[0] switch
    {
        "datasets" => ("dataset", 1),
        "spaces" => ("space", 1),
        _ => ("model", 0),
    } : ("model", 0);

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
