using System.IO.Enumeration;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Sources;

/// <summary>
/// Turns file and folder paths into scan items. Folders are walked in ordinal name order (deterministic on every
/// OS); symbolic links are followed only while they stay inside the scanned root, and loops are reported, not walked.
/// </summary>
public sealed class LocalFileSource : IScanSource
{
    private readonly string _path;

    /// <summary>A source for one file or folder path.</summary>
    public LocalFileSource(string path) => _path = path;

    /// <inheritdoc />
    public IEnumerable<ScanItem> Enumerate(ScanOptions options, Action<SourceEvent> report) => Enumerate(_path, options, report);

    /// <summary>The items under <paramref name="path"/>: the file itself, or the folder's files in name order.</summary>
    public static IEnumerable<ScanItem> Enumerate(string path, ScanOptions options, Action<SourceEvent> report)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            return Matches(Path.GetFileName(full), options) ? new[] { ItemFor(full) } : Array.Empty<ScanItem>();
        }

        return Walk(full, options, report);
    }

    private static IEnumerable<ScanItem> Walk(string root, ScanOptions options, Action<SourceEvent> report)
    {
        string realRoot = RealPath(root);
        var visited = new HashSet<string>(PathComparer) { realRoot };
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string directory = pending.Pop();
            FileSystemInfo[] children;
            try
            {
                children = new DirectoryInfo(directory).GetFileSystemInfos();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                report(new SourceEvent(directory, SourceEventKind.Unreadable, ex.Message));
                continue;
            }

            Array.Sort(children, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var subdirectories = new List<string>();
            foreach (FileSystemInfo child in children)
            {
                string? target = LinkTarget(child, report);
                if (child.LinkTarget is not null && target is null)
                {
                    continue;
                }

                string real = target ?? child.FullName;
                if (child.LinkTarget is not null && !IsInside(real, realRoot))
                {
                    report(new SourceEvent(child.FullName, SourceEventKind.LinkOutsideRoot, $"links to '{real}', outside '{root}'; not followed"));
                    continue;
                }

                if (Directory.Exists(real))
                {
                    if (!options.Recurse)
                    {
                        continue;
                    }

                    if (!visited.Add(RealPath(real)))
                    {
                        report(new SourceEvent(child.FullName, SourceEventKind.LinkLoop, $"leads back to '{real}'; not followed"));
                        continue;
                    }

                    subdirectories.Add(child.FullName);
                }
                else if (File.Exists(real) && Matches(child.Name, options))
                {
                    yield return ItemFor(child.FullName, target);
                }
            }

            // Push in reverse so folders are walked in name order.
            for (int i = subdirectories.Count - 1; i >= 0; i--)
            {
                pending.Push(subdirectories[i]);
            }
        }
    }

    /// <summary>A scan item for a local file. A FIFO, socket or device is an item that is reported, never opened.</summary>
    public static ScanItem ItemFor(string fullPath, string? linkTarget = null)
    {
        var info = new SourceItemInfo { LinkTarget = linkTarget, NotRegular = FileKind.NotRegular(fullPath) };
        long? length = info.NotRegular is null ? new FileInfo(fullPath).Length : null;
        return new ScanItem(fullPath, length, () => new FileStream(
            fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan), info);
    }

    private static bool Matches(string name, ScanOptions options)
    {
        bool included = options.Include.Count == 0 || options.Include.Any(p => FileSystemName.MatchesSimpleExpression(p, name, ignoreCase: true));
        return included && !options.Exclude.Any(p => FileSystemName.MatchesSimpleExpression(p, name, ignoreCase: true));
    }

    private static string? LinkTarget(FileSystemInfo info, Action<SourceEvent> report)
    {
        if (info.LinkTarget is null)
        {
            return null;
        }

        try
        {
            return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        }
        catch (IOException ex)
        {
            report(new SourceEvent(info.FullName, SourceEventKind.LinkLoop, ex.Message));
            return null;
        }
    }

    private static string RealPath(string path)
    {
        try
        {
            var info = new DirectoryInfo(path);
            return info.LinkTarget is null ? info.FullName : info.ResolveLinkTarget(true)?.FullName ?? info.FullName;
        }
        catch (IOException)
        {
            return path;
        }
    }

    private static bool IsInside(string path, string root)
    {
        string r = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path.Equals(root, PathComparison) || path.StartsWith(r, PathComparison);
    }

    private static StringComparison PathComparison => OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
        ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private static StringComparer PathComparer => OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
        ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
}
