using ModelAudit.Engine.Sources;
using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Formats.Dvc;

/// <summary>
/// The DVC project a pointer belongs to: the nearest folder above it with a <c>.dvc/</c> folder, its cache
/// (<c>.dvc/cache</c>) and its default remote (<c>core.remote</c> in <c>.dvc/config</c>, then <c>.dvc/config.local</c>).
/// Objects are found by md5: <c>files/md5/ab/cdef…</c> (DVC 3) or <c>ab/cdef…</c> (DVC 2), in the cache first, then in
/// the remote: a local folder, or an http(s) URL when remote reads are allowed.
/// </summary>
internal sealed class DvcRepository
{
    // A pointer sits a few folders below its project's root; the walk up stops here rather than at the file system root.
    private const int MaxLevelsUp = 32;

    // .dvc/config is a few lines; a larger one is not a DVC config and is not read.
    private const int MaxConfigBytes = 64 << 10;

    private DvcRepository(string root, string? remoteName, string? remoteUrl)
    {
        Root = root;
        RemoteName = remoteName;
        RemoteUrl = remoteUrl;
    }

    /// <summary>The project's root folder (the one holding <c>.dvc/</c>).</summary>
    public string Root { get; }

    /// <summary>The default remote's name, when one is configured.</summary>
    public string? RemoteName { get; }

    /// <summary>The default remote's url as written, when one is configured.</summary>
    public string? RemoteUrl { get; }

    /// <summary>The project of the pointer file at <paramref name="pointerPath"/>, or null when no folder above it has a
    /// <c>.dvc/</c> folder.</summary>
    public static DvcRepository? Of(string pointerPath)
    {
        string? folder = Path.GetDirectoryName(pointerPath);
        for (int level = 0; folder is not null && level < MaxLevelsUp; level++, folder = Path.GetDirectoryName(folder))
        {
            string dvc = Path.Combine(folder, ".dvc");
            if (Directory.Exists(dvc))
            {
                var config = new Dictionary<string, string>(StringComparer.Ordinal);
                Read(Path.Combine(dvc, "config"), config);
                Read(Path.Combine(dvc, "config.local"), config);
                string? name = config.GetValueOrDefault("core.remote");
                return new DvcRepository(folder, name, name is null ? null : config.GetValueOrDefault($"remote \"{name}\".url"));
            }
        }

        return null;
    }

    /// <summary>Opens the object with <paramref name="md5"/> (a file, or a folder's listing for <c>….dir</c>), or returns
    /// null with why not in <paramref name="why"/>. Remote objects are read by ranges when <paramref name="size"/> is known.</summary>
    public Stream? Open(string md5, long? size, bool dvc3, bool allowHttp, RemoteHttp? http, out long? length, out string why)
    {
        length = null;
        string hex = md5.EndsWith(".dir", StringComparison.Ordinal) ? md5[..^4] : md5;
        if (hex.Length != 32 || !hex.All(Uri.IsHexDigit))
        {
            why = $"'{md5}' is not an md5";
            return null;
        }

        string[] layouts = dvc3
            ? new[] { $"files/md5/{md5[..2]}/{md5[2..]}", $"{md5[..2]}/{md5[2..]}" }
            : new[] { $"{md5[..2]}/{md5[2..]}", $"files/md5/{md5[..2]}/{md5[2..]}" };
        foreach (string relative in layouts)
        {
            string cached = Path.Combine(Root, ".dvc", "cache", relative);
            if (File.Exists(cached))
            {
                why = string.Empty;
                length = new FileInfo(cached).Length;
                return File.OpenRead(cached);
            }
        }

        if (RemoteUrl is null)
        {
            why = "it is not in the cache (.dvc/cache) and no default remote is configured";
            return null;
        }

        if (Uri.TryCreate(RemoteUrl, UriKind.Absolute, out Uri? remote) && (remote.Scheme == Uri.UriSchemeHttp || remote.Scheme == Uri.UriSchemeHttps))
        {
            if (!allowHttp || http is null)
            {
                why = $"it is not in the cache and remote '{RemoteName}' is an http(s) remote, which is read only with -FollowDvcRemote";
                return null;
            }

            string baseUrl = remote.AbsoluteUri.TrimEnd('/') + "/";
            foreach (string relative in layouts)
            {
                var uri = new Uri(baseUrl + relative);
                try
                {
                    // The pointer records a file's size; a folder listing's entries do not, so ask for the first byte.
                    long known = size ?? ProbeLength(http, uri);
                    var stream = new BlockCachedStream(new HttpRangeReader(http, uri, known));
                    why = string.Empty;
                    length = known;
                    if (known > 0)
                    {
                        stream.ReadByte(); // find out now whether this layout has it
                        stream.Position = 0;
                    }

                    return stream;
                }
                catch (RemoteException ex) when (ex.Status == System.Net.HttpStatusCode.NotFound)
                {
                    continue;
                }
            }

            why = $"remote '{RemoteName}' ({RemoteHttp.Display(remote)}) does not have it";
            return null;
        }

        if (RemoteUrl.Contains("://", StringComparison.Ordinal))
        {
            why = $"remote '{RemoteName}' is a {RemoteUrl[..RemoteUrl.IndexOf(':', StringComparison.Ordinal)]} remote, which is not read yet";
            return null;
        }

        // A local remote: relative urls are relative to the .dvc folder, as DVC reads them.
        string folder = Path.GetFullPath(Path.Combine(Root, ".dvc", RemoteUrl));
        foreach (string relative in layouts)
        {
            string file = Path.Combine(folder, relative);
            if (File.Exists(file))
            {
                why = string.Empty;
                length = new FileInfo(file).Length;
                return File.OpenRead(file);
            }
        }

        why = $"it is neither in the cache nor in remote '{RemoteName}'";
        return null;
    }

    // DVC's config is configobj INI: [core], ['remote "name"'] sections, "key = value" lines, indented or not.
    private static void Read(string path, Dictionary<string, string> config)
    {
        if (!File.Exists(path) || new FileInfo(path).Length > MaxConfigBytes)
        {
            return;
        }

        string? section = null;
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1].Trim().Trim('\'').Trim();
                continue;
            }

            int equals = line.IndexOf('=');
            if (section is not null && equals > 0)
            {
                config[section + "." + line[..equals].Trim().ToLowerInvariant()] = line[(equals + 1)..].Trim().Trim('\'', '"');
            }
        }
    }

    // The length of a remote object from the Content-Range of a one-byte ranged GET.
    private static long ProbeLength(RemoteHttp http, Uri uri)
    {
        using HttpResponseMessage response = http.Get(uri, (0, 0), CancellationToken.None);
        return response.Content.Headers.ContentRange?.Length ?? response.Content.Headers.ContentLength
            ?? throw new RemoteException(response.StatusCode, $"{RemoteHttp.Display(uri)} gave no length.");
    }
}
