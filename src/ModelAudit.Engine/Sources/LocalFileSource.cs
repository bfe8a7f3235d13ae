using System.IO.Enumeration;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Sources;

/// <summary>
/// Turns file and folder paths into scan items. Folders are walked in ordinal name order (deterministic on every
/// OS). File links are scanned wherever they point (the item keeps the link's path and records the target); folder
/// links are walked only while they stay inside the scanned root, and loops are reported, not walked.
/// </summary>
public sealed class LocalFileSource : IScanSource
{
    private readonly string _path;

    /// <summary>A source for one file or folder path.</summary>
    public LocalFileSource(string path) => _path = path;

    /// <inheritdoc />
    public IEnumerable<ScanItem> Enumerate(ScanOptions options, Action<SourceEvent> report) => Enumerate(_path, options, report);

    /// <summary>The items under <paramref name="path"/>: the file itself, or the folder's files in name order.
    /// <paramref name="nameFilter"/> narrows the names further, on top of Include/Exclude: it is the wildcard leaf
    /// of <c>Invoke-ModelScan *.pkl -Recurse</c>, matched in every folder as <c>Get-ChildItem</c> does.</summary>
    public static IEnumerable<ScanItem> Enumerate(string path, ScanOptions options, Action<SourceEvent> report, Func<string, bool>? nameFilter = null)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            // A file named directly is scanned even when it is a link; its final target is recorded.
            var file = new FileInfo(full);
            string? target = file.LinkTarget is null ? null : LinkTarget(file, report);
            if (file.LinkTarget is not null && (target is null || !File.Exists(target)))
            {
                // File.Exists is true for a dangling link on Unix; there is nothing to open.
                report(new SourceEvent(full, SourceEventKind.DanglingLink, $"links to '{target ?? file.LinkTarget}', which does not exist"));
                return Array.Empty<ScanItem>();
            }

            return Matches(Path.GetFileName(full), options, nameFilter) ? new[] { ItemFor(full, target) } : Array.Empty<ScanItem>();
        }

        return Walk(full, options, report, nameFilter);
    }

    private static IEnumerable<ScanItem> Walk(string root, ScanOptions options, Action<SourceEvent> report, Func<string, bool>? nameFilter)
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
            int notWalked = 0;
            foreach (FileSystemInfo child in children)
            {
                bool isLink = child.LinkTarget is not null;
                string? target = LinkTarget(child, report);
                if (isLink && target is null)
                {
                    continue;
                }

                string real = target ?? child.FullName;
                if (Directory.Exists(real))
                {
                    if (!options.Recurse)
                    {
                        notWalked++;
                        continue;
                    }

                    // A folder link may lead anywhere (/, a network share): only links that stay inside the root are walked.
                    if (isLink && !IsInside(real, realRoot))
                    {
                        report(new SourceEvent(child.FullName, SourceEventKind.LinkOutsideRoot, $"links to folder '{real}', outside '{root}'; not followed"));
                        continue;
                    }

                    if (!visited.Add(RealPath(real)))
                    {
                        report(new SourceEvent(child.FullName, SourceEventKind.LinkLoop, $"leads back to '{real}'; not followed"));
                        continue;
                    }

                    subdirectories.Add(child.FullName);
                }
                else if (!Matches(child.Name, options, nameFilter))
                {
                    // Filtered before anything else is said about the file, so -Include *.pkl stays quiet about the rest.
                    report(new SourceEvent(child.FullName, SourceEventKind.Filtered, "left out by -Include/-Exclude"));
                }
                else if (File.Exists(real))
                {
                    // A file link is scanned wherever it points (a Hugging Face snapshot links every file into
                    // ../../blobs/): it is what a loader given this path would read. The result keeps the link's path.
                    yield return ItemFor(child.FullName, target);
                }
                else if (isLink)
                {
                    report(new SourceEvent(child.FullName, SourceEventKind.DanglingLink, $"links to '{real}', which does not exist"));
                }
                else
                {
                    // Listed but not there by its name: a Unix name that is not UTF-8 decodes to one that names no file,
                    // so it cannot be opened. Never dropped silently: a model hidden that way would go unscanned.
                    report(new SourceEvent(child.FullName, SourceEventKind.Unreadable, "is listed but cannot be opened by its name (a file name that is not valid UTF-8?); not scanned"));
                }
            }

            if (notWalked > 0)
            {
                report(new SourceEvent(directory, SourceEventKind.SubfoldersNotWalked, $"{notWalked} sub-folder(s) not searched (use -Recurse)"));
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
        long? length = info.NotRegular is null ? new FileInfo(linkTarget ?? fullPath).Length : null;
        return new ScanItem(fullPath, length, () => new FileStream(
            fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan), info);
    }

    /// <summary>Whether a file name passes -Include and -Exclude (remote sources apply the same filter).</summary>
    internal static bool Matches(string name, ScanOptions options, Func<string, bool>? nameFilter)
    {
        if (nameFilter is not null && !nameFilter(name))
        {
            return false;
        }

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
