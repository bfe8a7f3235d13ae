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
    private static readonly byte[] s_magic = { 0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C };

    public ScannerInfo Info { get; } = new("7z", "SevenZip", new[] { ContainerFormats.SevenZip });

    public Reading? Sniff(SniffInput input) =>
        input.Head.AsSpan().StartsWith(s_magic) ? new Reading(ContainerFormats.SevenZip, this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        Stream stream = SeekableCopy.Of(input.Stream, "7z archive", context);
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
