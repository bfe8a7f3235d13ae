using ModelAudit.Engine.Detection;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;
using SharpCompress.Archives;
using SharpCompress.Archives.SevenZip;
using SharpCompress.Readers;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// 7-Zip archives (the nullifAI wrapper around PyTorch pickles), read with SharpCompress in one sequential pass
/// so solid blocks are decompressed once; members are dispatched by content under the expansion budget.
/// </summary>
internal sealed class SevenZipScanner : IFormatScanner
{
    public string Name => "SevenZip";

    public IReadOnlyList<ModelFormat> Formats { get; } = new[] { ModelFormat.SevenZip };

    public void Scan(ScanInput input, ScanContext context)
    {
        Stream stream = SeekableCopy.Of(input.Stream, "7z archive");
        using IArchive archive = SevenZipArchive.OpenArchive(new LeaveOpenStream(stream), new ReaderOptions { LeaveStreamOpen = true });
        using IReader reader = archive.ExtractAllEntries();
        int entries = 0;
        while (reader.MoveToNextEntry())
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (++entries > context.Limits.MaxArchiveEntries)
            {
                throw new ScanLimitExceededException(nameof(ScanLimits.MaxArchiveEntries), $"more than {context.Limits.MaxArchiveEntries:N0} 7z entries");
            }

            var entry = reader.Entry;
            string name = entry.Key ?? "";
            if (ArchivePaths.Escape(name) is { } escape)
            {
                context.Report(RuleIds.ArchivePathTraversal, $"Entry '{name}' escapes the extraction root: {escape}.", null, name);
            }

            if (entry.IsDirectory)
            {
                continue;
            }

            if (entry.IsEncrypted)
            {
                context.Report(RuleIds.ArchiveEncryptedMember, $"Entry '{name}' is encrypted and could not be scanned.", null, name);
                context.ReportInconclusive(RuleIds.FormatNotScanned, $"Encrypted 7z entry '{name}' was not scanned.", null, name);
                continue;
            }

            using Stream data = reader.OpenEntryStream();
            using var guarded = new ExpansionGuardStream(data, input.Length ?? stream.Length, context, $"7z entry '{name}'");
            context.ScanChild(name, guarded, entry.Size);
        }
    }
}
