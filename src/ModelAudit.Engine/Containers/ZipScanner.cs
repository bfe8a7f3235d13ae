using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Pickle;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// Zip and its model flavours (PyTorch, TorchScript, NumPy .npz, Keras). Entries are read the way each loader reads
/// them — the central directory by its size (zipfile) and by its count and offset (PyTorch's miniz), ignoring
/// encryption flags and CRCs as PyTorch does — and local headers are walked by signature, so tricks that split loaders
/// from scanners are both scanned and reported. Every member is dispatched by content, as a stream, under its own guard.
/// </summary>
internal sealed partial class ZipScanner : IFormatScanner
{
    private const long MaxCrcCheckedMember = 16L << 20;

    public ScannerInfo Info { get; } = new("zip", "Zip", new[]
    {
        ContainerFormats.Zip, ContainerFormats.PyTorchZip, ContainerFormats.TorchScript, ContainerFormats.NumPyZip,
    }.Concat(ArchiveLayouts.All.Select(l => l.Format)).ToArray());

    public Reading? Sniff(SniffInput input)
    {
        ReadOnlySpan<byte> h = input.Head;
        return h.StartsWith("PK\x03\x04"u8) || h.StartsWith("PK\x05\x06"u8) || h.StartsWith("PK\x07\x08"u8)
            ? new Reading(ContainerFormats.Zip, this, ReadingStrength.Structural)
            : null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        Stream stream = SeekableCopy.Of(input.Stream, "zip", context);
        ZipEndRecord? end = ZipEndRecord.Find(stream);
        if (end is null)
        {
            // Streaming readers need no end record: every local entry they would read is scanned.
            context.ReportInconclusive(RuleIds.ParseError, "The zip has no end-of-central-directory record; only local headers were read.");
            WalkLocalHeaders(stream, 0, stream.Length, Array.Empty<ZipEntryInfo>(), context, Flavour.Plain);
            return;
        }

        ScanDirectory(stream, ZipDirectory.Read(stream, end, context.Limits), context, polyglot: false, input.Name);
    }

    /// <summary>Scans a zip found by its end record inside a file of another format.</summary>
    public void ScanEmbedded(Stream stream, ZipDirectory directory, ScanContext context) =>
        ScanDirectory(stream, directory, context, polyglot: true, archiveName: "");

    private void ScanDirectory(Stream stream, ZipDirectory directory, ScanContext context, bool polyglot, string archiveName)
    {
        if (directory.BaseShift > 0 && !polyglot)
        {
            context.Report(RuleIds.Polyglot, $"{directory.BaseShift:N0} bytes of other data precede the zip archive.", 0, "prepended data");
        }

        long trailing = stream.Length - directory.End.EndOfArchive;
        if (trailing > 0 && !polyglot)
        {
            context.Report(RuleIds.Polyglot, $"{trailing:N0} bytes of other data follow the zip's end record.", directory.End.EndOfArchive, "appended data");
        }

        if (directory.Disagreement is { } disagreement)
        {
            context.Report(RuleIds.ZipDirectoryDisagreement, $"The zip's directory records disagree: {disagreement}.", directory.End.Offset, "directory");
        }

        if (directory.Damage is { } damage)
        {
            context.ReportInconclusive(RuleIds.ParseError, $"The zip's central directory is damaged: {damage}; local headers were walked instead.", directory.CentralStart);
        }

        if (directory.EntriesOverBudget > 0)
        {
            context.ReportInconclusive(RuleIds.LimitExceeded,
                $"The zip has {directory.Entries.Count + directory.EntriesOverBudget:N0} entries; only the first {directory.Entries.Count:N0} (MaxArchiveEntries) were scanned.",
                directory.CentralStart, nameof(ScanLimits.MaxArchiveEntries));
        }

        Flavour flavour = Classify(directory.Entries);
        var memberNames = directory.Entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        IArchiveLayout? layout = flavour == Flavour.Plain && !polyglot ? ArchiveLayouts.Find(archiveName, memberNames) : null;
        if (!polyglot)
        {
            context.SetFormat(flavour switch
            {
                Flavour.PyTorch => ContainerFormats.PyTorchZip,
                Flavour.TorchScript => ContainerFormats.TorchScript,
                Flavour.NumPy => ContainerFormats.NumPyZip,
                _ => layout?.Format ?? ContainerFormats.Zip,
            });
        }

        if (flavour == Flavour.TorchScript)
        {
            context.Report(RuleIds.TorchScriptCode, "The archive is a TorchScript module: torch.jit.load compiles and runs its code/ files.", 0, "TorchScript");
        }

        // torch.load runs these pickles; weights_only=True was bypassable before 2.6 (CVE-2025-32434).
        bool torch = flavour is Flavour.PyTorch or Flavour.TorchScript;

        // An embedded zip's offsets are those of the window it was found in, not the file's: its tensors are not read.
        long? fileOffset = polyglot ? null : context.Frame.FileOffset;
        ScanContext members = context.With(f => (torch ? f.WithCve("CVE-2025-32434") : f) with
        {
            InTorchScript = flavour == Flavour.TorchScript,
            ArchiveLayout = layout?.Format.Name,
            FileOffset = fileOffset,
        });

        // Each data.pkl's tensors, by the folder that holds it and its data/ storages.
        Dictionary<string, TorchTensorTable>? tensorTables = torch ? new(StringComparer.Ordinal) : null;
        ArchiveInspection? inspection = layout?.Begin();

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ZipEntryInfo entry in directory.Entries)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (!names.Add(entry.Name))
            {
                context.Report(RuleIds.ArchiveDuplicateName, $"Two entries are named '{entry.Name}'; loaders differ in which one they read.", entry.LocalHeaderOffset, entry.Name);
            }

            members.Guarded($"Zip entry '{entry.Name}'", () => ScanEntry(stream, entry, members, flavour, inspection, tensorTables));
        }

        if (inspection is not null)
        {
            members.Guarded($"{layout!.Format.Name} archive checks", () => inspection.Complete(memberNames, members));
        }

        WalkLocalHeaders(stream, Math.Max(0, Math.Min(directory.BaseShift, directory.CentralStart)), directory.CentralStart, directory.Entries, members, flavour);
    }

    private void ScanEntry(Stream stream, ZipEntryInfo entry, ScanContext context, Flavour flavour, ArchiveInspection? inspection,
        Dictionary<string, TorchTensorTable>? tensorTables)
    {
        if (ArchivePaths.Escape(entry.Name) is { } escape)
        {
            context.Report(RuleIds.ArchivePathTraversal, $"Entry '{entry.Name}' escapes the extraction root: {escape}.", entry.LocalHeaderOffset, entry.Name);
        }

        ZipLocalHeader? local = ZipLocalHeader.TryRead(stream, entry.LocalHeaderOffset);
        if (local is null)
        {
            context.ReportInconclusive(RuleIds.ParseError, $"Entry '{entry.Name}' has no local header where the directory says.", entry.LocalHeaderOffset, entry.Name);
            return;
        }

        if (local.Name != entry.Name)
        {
            context.Report(RuleIds.ArchiveNameMismatch,
                $"Entry '{entry.Name}' is named '{local.Name}' in its local header; loaders and scanners see different files.", entry.LocalHeaderOffset, local.Name);
        }

        long dataOffset = local.DataOffset;
        if (entry.IsDirectory)
        {
            return;
        }

        if (entry.IsEncrypted)
        {
            // PyTorch ignores the flag and reads the bytes as they are (CVE-2025-1945); so does this scan.
            // If the bytes really are encrypted, what they hold was not seen: coverage is incomplete.
            context.ReportInconclusive(RuleIds.ArchiveEncryptedMember,
                $"Entry '{entry.Name}' is flagged encrypted (flags 0x{entry.Flags:x4}); it was scanned as stored data, as PyTorch reads it.", entry.LocalHeaderOffset, entry.Name);
        }

        if ((entry.Flags & 0x0020) != 0)
        {
            context.Report(RuleIds.ArchiveHiddenEntry, $"Entry '{entry.Name}' sets the 'patched data' flag (0x20) that strict readers reject.", entry.LocalHeaderOffset, entry.Name);
        }

        if (entry.Method != 0 && entry.UncompressedSize > context.Limits.CompressionRatioFloor
            && entry.UncompressedSize > entry.CompressedSize * context.Limits.MaxCompressionRatio)
        {
            context.Report(RuleIds.DecompressionBomb,
                $"Entry '{entry.Name}' declares {entry.UncompressedSize:N0} bytes from {entry.CompressedSize:N0} compressed: a decompression bomb. It is expanded only as far as the scan needs, under the budget.",
                entry.LocalHeaderOffset, entry.Name);
        }

        if (entry.IsSymlink)
        {
            string target = ReadSmallText(OpenData(stream, entry, dataOffset, context), 4096);
            if (ArchivePaths.LinkEscape(entry.Name, target) is { } why)
            {
                context.Report(RuleIds.ArchiveLinkEscape, $"Symbolic link '{entry.Name}' {why}.", entry.LocalHeaderOffset, target);
            }

            return;
        }

        if (!IsSupported(entry.Method))
        {
            context.ReportInconclusive(RuleIds.FormatNotScanned, $"Entry '{entry.Name}' uses compression method {entry.Method}, which is not scanned.", entry.LocalHeaderOffset, entry.Name);
            return;
        }

        // CRC tricks matter where a strict reader would skip code (pickles, scripts); raw tensor blobs are not re-read.
        bool storageBlob = flavour is Flavour.PyTorch or Flavour.TorchScript && StorageBlob().IsMatch(entry.Name);
        if (entry.UncompressedSize <= MaxCrcCheckedMember && !entry.IsEncrypted && !storageBlob)
        {
            CheckCrc(stream, entry, dataOffset, context);
        }

        if (inspection is not null && inspection.Wants(entry.Name))
        {
            ScanContext member = context.With(f => f.Enter(entry.Name));
            using Stream manifest = OpenData(stream, entry, dataOffset, context);
            if (ArchiveLayouts.ReadMember(manifest, entry.UncompressedSize, entry.Name, member) is { } content)
            {
                member.Guarded($"'{entry.Name}' manifest checks", () => inspection.Inspect(entry.Name, content, member));
            }
        }

        if (storageBlob && tensorTables is not null)
        {
            DescribeStorageTensors(entry, dataOffset, tensorTables, context);
        }

        using Stream opened = OpenData(stream, entry, dataOffset, context);
        Stream data = opened;
        if (storageBlob)
        {
            // Peeking a compressed member consumes its head: scan the stream that gives the head back.
            (byte[] head, data) = PrefixedStream.Peek(opened, 4096);
            if (!LooksExecutable(head, entry.UncompressedSize))
            {
                return; // raw tensor bytes: torch never parses them, and they are not a format to sniff further.
            }
        }

        // A stored member's bytes are the file's own, from its data offset on (weight analysis reads its tensors there).
        long? memberOffset = entry.Method == 0 && !storageBlob && context.Frame.FileOffset is { } zipOffset ? zipOffset + dataOffset : null;
        TorchTensorTable? tensors = tensorTables is not null && TorchPickleFolder(entry.Name) is { } folder ? tensorTables[folder] = new TorchTensorTable() : null;
        context.ScanChild(entry.Name, data, entry.UncompressedSize, f => f with { FileOffset = memberOffset, TorchTensors = tensors });
    }

    // The tensors of a storage entry (<folder>/data/<key>), from the data.pkl of its folder scanned before it (torch
    // writes data.pkl first). Their bytes are the file's own only in a stored entry; a compressed one is summarised.
    private static void DescribeStorageTensors(ZipEntryInfo entry, long dataOffset, Dictionary<string, TorchTensorTable> tensorTables, ScanContext context)
    {
        int slash = entry.Name.LastIndexOf('/');
        string key = entry.Name[(slash + 1)..];
        string folder = entry.Name[..(slash + 1 - "data/".Length)];
        if (tensorTables.TryGetValue(folder, out TorchTensorTable? table))
        {
            TorchTensorRegions.Report(table.InStorage(key), dataOffset, entry.UncompressedSize, decodable: entry.Method == 0, context);
        }
    }

    // The folder of a PyTorch archive's data.pkl ("archive/"), or null for another entry.
    private static string? TorchPickleFolder(string name) =>
        name == "data.pkl" ? "" : name.EndsWith("/data.pkl", StringComparison.Ordinal) ? name[..^"data.pkl".Length] : null;

    // Storage blobs are scanned only when their first bytes are something a loader or a person could run. torch.load
    // never unpickles a blob, so a pickle reading must be a pickle that does something (LooksLikePickle, the test for
    // payloads inside other data), not the detection test: random float bytes open with an EXT1 or a MARK often.
    private static bool LooksExecutable(byte[] head, long size) =>
        FormatDetector.Readings(head, size, "").Any(r => r.Format == PickleFormats.Pickle
            ? PickleSniffer.LooksLikePickle(head, size)
            : r.Format.IsCodeBearing || r.Format.Risk == FormatRisk.Container);

    private static bool IsSupported(ushort method) => method is 0 or 8 or 12 or 14 or 93;

    private static Stream OpenData(Stream stream, ZipEntryInfo entry, long dataOffset, ScanContext context)
    {
        var raw = new WindowStream(stream, dataOffset, entry.CompressedSize);
        Stream expanded = ExpansionGuardStream.OpenDecoder(() => entry.Method switch
        {
            0 => raw,
            8 => new DeflateStream(raw, CompressionMode.Decompress),
            12 => SharpCompress.Compressors.BZip2.BZip2Stream.Create(raw, SharpCompress.Compressors.CompressionMode.Decompress, false),
            14 => OpenZipLzma(raw, entry),
            93 => new SharpCompress.Compressors.ZStandard.DecompressionStream(raw),
            _ => throw new NotSupportedException($"compression method {entry.Method}"),
        }, $"entry '{entry.Name}'");
        return entry.Method == 0 ? expanded : new ExpansionGuardStream(expanded, entry.CompressedSize, context, $"entry '{entry.Name}'", () => raw.Position);
    }

    // Zip's LZMA: 2 version bytes, a 2-byte properties size, the properties, then the raw stream.
    private static Stream OpenZipLzma(Stream raw, ZipEntryInfo entry)
    {
        Span<byte> prefix = stackalloc byte[4];
        raw.ReadAtMost(prefix);
        byte[] properties = new byte[BinaryPrimitives.ReadUInt16LittleEndian(prefix[2..])];
        raw.ReadAtMost(properties);
        return SharpCompress.Compressors.LZMA.LzmaStream.Create(properties, raw, entry.CompressedSize - 4 - properties.Length, entry.UncompressedSize);
    }

    private static void CheckCrc(Stream stream, ZipEntryInfo entry, long dataOffset, ScanContext context)
    {
        using Stream data = OpenData(stream, entry, dataOffset, context);
        byte[] buffer = new byte[81920];
        uint crc = 0;
        int read;
        while ((read = data.Read(buffer, 0, buffer.Length)) > 0)
        {
            crc = Crc32.Append(crc, buffer.AsSpan(0, read));
        }

        if (crc != entry.Crc)
        {
            context.Report(RuleIds.ArchiveCrcMismatch,
                $"Entry '{entry.Name}' has CRC-32 {crc:x8} but the archive records {entry.Crc:x8}; strict readers refuse it, PyTorch loads it.", entry.LocalHeaderOffset, entry.Name);
        }
    }

    private static Flavour Classify(IReadOnlyList<ZipEntryInfo> entries)
    {
        bool pkl = false, code = false, allNpy = entries.Count > 0;
        foreach (ZipEntryInfo e in entries)
        {
            string n = e.Name;
            pkl |= n == "data.pkl" || n.EndsWith("/data.pkl", StringComparison.Ordinal);
            code |= n.Contains("/code/__torch__", StringComparison.Ordinal) || n.EndsWith("/constants.pkl", StringComparison.Ordinal)
                || n.EndsWith("/bytecode.pkl", StringComparison.Ordinal);
            allNpy &= e.IsDirectory || n.EndsWith(".npy", StringComparison.Ordinal);
        }

        return code ? Flavour.TorchScript : pkl ? Flavour.PyTorch : allNpy ? Flavour.NumPy : Flavour.Plain;
    }

    private static string ReadSmallText(Stream stream, int max)
    {
        using (stream)
        {
            byte[] buffer = new byte[max];
            int read = stream.ReadAtMost(buffer);
            return Encoding.UTF8.GetString(buffer, 0, read);
        }
    }

    [GeneratedRegex(@"(^|/)data/\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex StorageBlob();

    private enum Flavour
    {
        Plain,
        PyTorch,
        TorchScript,
        NumPy,
    }
}
