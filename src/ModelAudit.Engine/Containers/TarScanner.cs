using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;
using SharpCompress.Readers;
using SharpCompress.Readers.Tar;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// Tar (ustar, pax, gnu, v7) read forward-only with SharpCompress: every member is dispatched by content as a
/// stream; traversal and escaping links are findings. PyTorch's legacy tar checkpoints are recognised by their members.
/// </summary>
internal sealed class TarScanner : IFormatScanner
{
    private static readonly HashSet<string> s_legacyTorchMembers = new(StringComparer.Ordinal) { "sys_info", "pickle", "storages", "tensors" };

    public string Name => "Tar";

    public IReadOnlyList<ModelFormat> Formats { get; } = new[] { ModelFormat.Tar };

    public void Scan(ScanInput input, ScanContext context)
    {
        using IReader reader = TarReader.OpenReader(input.Stream, new ReaderOptions { LeaveStreamOpen = true });
        int entries = 0;
        while (reader.MoveToNextEntry())
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (++entries > context.Limits.MaxArchiveEntries)
            {
                throw new ScanLimitExceededException(nameof(ScanLimits.MaxArchiveEntries), $"more than {context.Limits.MaxArchiveEntries:N0} tar entries");
            }

            var entry = reader.Entry;
            string name = entry.Key ?? "";
            if (s_legacyTorchMembers.Contains(name))
            {
                context.SetFormat(ModelFormat.PyTorchLegacyTar);
            }

            if (ArchivePaths.Escape(name) is { } escape)
            {
                context.Report(RuleIds.ArchivePathTraversal, $"Entry '{name}' escapes the extraction root: {escape}.", null, name);
            }

            if (!string.IsNullOrEmpty(entry.LinkTarget))
            {
                if (ArchivePaths.LinkEscape(name, entry.LinkTarget) is { } why)
                {
                    context.Report(RuleIds.ArchiveLinkEscape, $"Link '{name}' {why}.", null, entry.LinkTarget);
                }

                continue;
            }

            if (entry.IsDirectory)
            {
                continue;
            }

            using Stream data = reader.OpenEntryStream();
            context.ScanChild(name, data, entry.Size);
        }
    }
}
