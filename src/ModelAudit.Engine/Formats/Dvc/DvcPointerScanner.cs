using System.Text;
using System.Text.Json;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources.Http;

namespace ModelAudit.Engine.Formats.Dvc;

/// <summary>
/// A DVC pointer (<c>*.dvc</c>) or <c>dvc.lock</c> in a local folder: each output it names that is not in the
/// workspace is read from the project's cache or default remote by its md5 and scanned as a member of the pointer
/// (<c>model.pkl.dvc!model.pkl</c>), so a scan of a checkout without <c>dvc pull</c> still sees the models. An output
/// path that leaves the project is MA6350 (Critical); an output that cannot be read is MA9035 (coverage inconclusive).
/// </summary>
internal sealed class DvcPointerScanner : IFormatScanner
{
    // Pointer and lock files are a few KiB; a larger one is not read as a pointer.
    private const int MaxPointerBytes = 1 << 20;

    // A folder output's listing is ~100 bytes per file; 16 MiB is far above a model folder and bounds a hostile one.
    private const int MaxListingBytes = 16 << 20;

    // Files of one folder output scanned; a data set of more is cut (reported) rather than stalling the scan.
    private const int MaxFolderFiles = 10_000;

    public ScannerInfo Info { get; } = new("dvc", "DVC pointer files", new[] { DvcFormats.DvcPointer });

    // The name says DVC and the text has the key every pointer and lock file has: a definite reading, which runs
    // beside the text reading (the YAML is still searched for secrets and URLs) rather than only when nothing else holds.
    public Reading? Sniff(SniffInput input) =>
        DvcFile.IsDvcName(input.Name) && input.Head.AsSpan().IndexOf("outs:"u8) >= 0 ? new Reading(DvcFormats.DvcPointer, this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        // Only a pointer on the local disk has a project (cache, config, workspace) around it.
        if (context.Depth != 0 || !Path.IsPathFullyQualified(context.Path) || !File.Exists(context.Path) || input.Length > MaxPointerBytes)
        {
            throw new NotThisFormatException("only local DVC pointer files are resolved");
        }

        string text = Read(input.Stream, MaxPointerBytes);
        IReadOnlyList<DvcOutput> outputs = DvcFile.Outputs(text, out _);
        if (outputs.Count == 0)
        {
            throw new NotThisFormatException("no outputs with a path and an md5");
        }

        context.SetFormat(DvcFormats.DvcPointer);
        string folder = Path.GetDirectoryName(context.Path)!;
        DvcRepository? repository = DvcRepository.Of(context.Path);
        string root = repository?.Root ?? folder;
        using RemoteHttp? http = context.Options.FollowDvcRemotes ? new RemoteHttp(null, null) : null;
        foreach (DvcOutput output in outputs)
        {
            string? target = Inside(root, folder, output.Path);
            if (target is null)
            {
                context.Report(RuleIds.DvcPathTraversal,
                    $"Output '{output.Path}' is outside the DVC project '{Path.GetFileName(root)}': 'dvc pull' or 'dvc checkout' would write it there.",
                    output.Offset, output.Path);
                continue;
            }

            if (File.Exists(target) || Directory.Exists(target))
            {
                continue; // in the workspace: scanned as itself
            }

            if (repository is null)
            {
                context.ReportInconclusive(RuleIds.DvcOutputNotResolved,
                    $"Output '{output.Path}' (md5 {output.Md5}) is not in the workspace and no folder above the pointer has a .dvc folder: not scanned.",
                    output.Offset, output.Md5);
                continue;
            }

            context.Guarded(output.Path, () => ScanOutput(context, repository, output, root, folder, http));
        }
    }

    private static void ScanOutput(ScanContext context, DvcRepository repository, DvcOutput output, string root, string folder, RemoteHttp? http)
    {
        Stream? stream = repository.Open(output.Md5, output.IsDirectory ? null : output.Size, output.Dvc3Layout, http is not null, http, out long? length, out string why);
        if (stream is null)
        {
            context.ReportInconclusive(RuleIds.DvcOutputNotResolved, $"Output '{output.Path}' (md5 {output.Md5}) is not in the workspace and {why}: not scanned.", output.Offset, output.Md5);
            return;
        }

        using (stream)
        {
            if (!output.IsDirectory)
            {
                context.ScanChild(output.Path, stream, length);
                return;
            }

            string outputFolder = Path.Combine(folder, output.Path);
            var files = Listing(Read(stream, MaxListingBytes), output.Path);
            foreach (var (md5, relpath) in files.Take(MaxFolderFiles))
            {
                string member = output.Path.TrimEnd('/') + "/" + relpath;
                if (Inside(root, outputFolder, relpath) is null)
                {
                    context.Report(RuleIds.DvcPathTraversal,
                        $"File '{relpath}' of folder output '{output.Path}' is outside the DVC project: 'dvc checkout' would write it there.", output.Offset, relpath);
                    continue;
                }

                context.Guarded(member, () =>
                {
                    Stream? file = repository.Open(md5, null, output.Dvc3Layout, http is not null, http, out long? fileLength, out string fileWhy);
                    if (file is null)
                    {
                        context.ReportInconclusive(RuleIds.DvcOutputNotResolved, $"'{member}' (md5 {md5}) {fileWhy}: not scanned.", output.Offset, md5);
                        return;
                    }

                    using (file)
                    {
                        context.ScanChild(member, file, fileLength);
                    }
                });
            }

            if (files.Count > MaxFolderFiles)
            {
                context.ReportInconclusive(RuleIds.DvcOutputNotResolved,
                    $"Folder output '{output.Path}' lists {files.Count:N0} files; only the first {MaxFolderFiles:N0} were scanned.", output.Offset, output.Md5);
            }
        }
    }

    // The full path of an output when it stays inside the project (relative, no climbing out); null otherwise.
    private static string? Inside(string root, string folder, string path)
    {
        if (path.Length == 0 || Path.IsPathRooted(path) || path.Contains(':') || path.Contains('\\'))
        {
            return null;
        }

        string full = Path.GetFullPath(Path.Combine(folder, path));
        string relative = Path.GetRelativePath(root, full);
        return relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative) ? null : full;
    }

    // A folder's cache object: a JSON array of {md5, relpath}.
    private static List<(string Md5, string RelPath)> Listing(string json, string output)
    {
        var files = new List<(string, string)>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement entry in document.RootElement.EnumerateArray())
                {
                    if (RemoteJson.String(entry, "md5") is { } md5 && RemoteJson.String(entry, "relpath") is { } relpath)
                    {
                        files.Add((md5.ToLowerInvariant(), relpath));
                    }
                }

                return files;
            }
        }
        catch (JsonException)
        {
        }

        throw new InvalidDataException($"the cache object of folder output '{output}' is not a DVC folder listing");
    }

    private static string Read(Stream stream, int max)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > max)
            {
                throw new InvalidDataException($"more than {max:N0} bytes");
            }

            buffer.Write(chunk, 0, n);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
