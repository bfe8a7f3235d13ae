using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// Tar (v7, ustar, GNU, pax), read forward-only: every member is dispatched by content as a stream; traversal and
/// escaping links are findings. PyTorch's legacy tar checkpoints are recognised by their member names.
/// </summary>
internal sealed class TarScanner : IFormatScanner
{
    private static readonly HashSet<string> s_legacyTorchMembers = new(StringComparer.Ordinal) { "sys_info", "pickle", "storages", "tensors" };

    public ScannerInfo Info { get; } = new("tar", "Tar",
        new[] { ContainerFormats.Tar, ContainerFormats.PyTorchLegacyTar }.Concat(ArchiveLayouts.All.Select(l => l.Format)).Distinct().ToArray());

    public Reading? Sniff(SniffInput input) => LooksLikeTar(input.Head) ? new Reading(ContainerFormats.Tar, this, ReadingStrength.Structural) : null;

    private static bool LooksLikeTar(ReadOnlySpan<byte> h)
    {
        if (h.Length < 512)
        {
            return false;
        }

        // ustar and GNU tar have a magic; pre-POSIX (v7) tar has none, but the header checksum must match.
        return h.Slice(257, 5).SequenceEqual("ustar"u8) || TarHeaderChecksum.IsValid(h[..512]);
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        var reader = new TarReader(input.Stream);
        int entries = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        IArchiveLayout? layout = null;
        ArchiveInspection? inspection = null;
        ScanContext members = context;
        while (reader.Next(context.CancellationToken) is { } entry)
        {
            if (++entries > context.Limits.MaxArchiveEntries)
            {
                throw new ScanLimitExceededException(nameof(ScanLimits.MaxArchiveEntries), $"more than {context.Limits.MaxArchiveEntries:N0} tar entries");
            }

            if (s_legacyTorchMembers.Contains(entry.Name))
            {
                context.SetFormat(ContainerFormats.PyTorchLegacyTar);
            }

            // A tar streams: its layout is known once the names seen so far decide it.
            names.Add(entry.Name);
            if (layout is null && ArchiveLayouts.Find(input.Name, names) is { } found)
            {
                layout = found;
                inspection = found.Begin();
                context.SetFormat(found.Format);
                members = context.With(f => f with { ArchiveLayout = found.Format.Name });
            }

            if (ArchivePaths.Escape(entry.Name) is { } escape)
            {
                context.Report(RuleIds.ArchivePathTraversal, $"Entry '{entry.Name}' escapes the extraction root: {escape}.", entry.DataOffset, entry.Name);
            }

            if (entry.LinkTarget is { Length: > 0 } target)
            {
                if (ArchivePaths.LinkEscape(entry.Name, target) is { } why)
                {
                    context.Report(RuleIds.ArchiveLinkEscape, $"{(entry.Type == '1' ? "Hard" : "Symbolic")} link '{entry.Name}' {why}.", entry.DataOffset, target);
                }

                continue;
            }

            if (entry.IsRegularFile && !entry.IsDirectory)
            {
                ScanMember(reader, entry, members, inspection);
            }
        }

        if (inspection is not null)
        {
            members.Guarded($"{layout!.Format.Name} archive checks", () => inspection.Complete(names, members));
        }
    }

    private static void ScanMember(TarReader reader, TarEntryHeader entry, ScanContext members, ArchiveInspection? inspection)
    {
        if (inspection is null || !inspection.Wants(entry.Name))
        {
            members.ScanChild(entry.Name, reader.OpenData(entry), entry.Size);
            return;
        }

        // A wanted member is small (a manifest or config): read once, inspected, then scanned from the copy.
        ScanContext member = members.With(f => f.Enter(entry.Name));
        if (ArchiveLayouts.ReadMember(reader.OpenData(entry), entry.Size, entry.Name, member) is not { } content)
        {
            return; // over the manifest budget: reported Inconclusive, and a forward-only tar cannot re-read it.
        }

        member.Guarded($"'{entry.Name}' manifest checks", () => inspection.Inspect(entry.Name, content, member));
        members.ScanChild(entry.Name, new MemoryStream(content, writable: false), content.Length);
    }
}
