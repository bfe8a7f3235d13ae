using System.Text.RegularExpressions;

namespace ModelAudit.Commands;

/// <summary>
/// How the table views show a path in a narrow column: the file name first, so truncation never cuts it, then a
/// short form of the folder. Hugging Face cache snapshots become <c>org/name@revision</c>, so rows from different
/// repositories do not all read <c>/home/me/.cache/huggingface/hub/models--…</c>. List views show the full path.
/// </summary>
public static partial class DisplayPath
{
    // Seven characters of a 40-digit commit are what the Hub itself shows.
    private const int RevisionLength = 7;

    /// <summary>"name  (folder)" for a table cell.</summary>
    public static string Describe(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return string.Empty;
        }

        string name = Path.GetFileName(path.TrimEnd('/', '\\'));
        string folder = Folder(path);
        return folder.Length == 0 ? name : $"{name}  ({folder})";
    }

    /// <summary>The folder of <paramref name="path"/>, shortened: a cache snapshot as org/name@rev, else its last two parts.</summary>
    public static string Folder(string path)
    {
        Match hub = HubSnapshot().Match(path);
        if (hub.Success)
        {
            string revision = hub.Groups["rev"].Value;
            string kind = hub.Groups["kind"].Value == "models" ? string.Empty : hub.Groups["kind"].Value + "/";
            string inner = hub.Groups["inner"].Value.Replace('\\', '/');
            string org = hub.Groups["org"].Success ? hub.Groups["org"].Value + "/" : string.Empty;
            return $"{kind}{org}{hub.Groups["repo"].Value}@{revision[..Math.Min(RevisionLength, revision.Length)]}{inner}";
        }

        string? parent = Path.GetDirectoryName(path);
        if (string.IsNullOrEmpty(parent))
        {
            return string.Empty;
        }

        string[] parts = parent.Split('/', '\\', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length <= 2 ? parent : "…/" + string.Join('/', parts[^2..]);
    }

    // models--org--name/snapshots/<rev>[/sub/folders]/file: the layout huggingface_hub writes (also datasets-- and spaces--).
    [GeneratedRegex(@"(?<kind>models|datasets|spaces)--(?:(?<org>[^\\/]+?)--)?(?<repo>[^\\/]+)[\\/]snapshots[\\/](?<rev>[^\\/]+)(?<inner>(?:[\\/][^\\/]+)*)[\\/][^\\/]+$")]
    private static partial Regex HubSnapshot();
}
