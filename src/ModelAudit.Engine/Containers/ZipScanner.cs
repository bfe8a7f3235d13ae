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
/// Zip and its model flavours (PyTorch, TorchScript, NumPy .npz, Keras). Entries are read the way PyTorch reads
/// them — from the central directory, ignoring encryption flags and CRCs — and also the way strict readers do,
/// so tricks that split loaders from scanners are both scanned and reported. Local headers absent from the
/// central directory are found by walking the file. Every member is dispatched by content, as a stream.
/// </summary>
internal sealed partial class ZipScanner : IFormatScanner
{
    private const long MaxCrcCheckedMember = 16L << 20;

    public string Name => "Zip";

    public IReadOnlyList<ModelFormat> Formats { get; } = new[] { ModelFormat.Zip };

    public void Scan(ScanInput input, ScanContext context)
    {
        Stream stream = SeekableCopy.Of(input.Stream, "zip");

        long? endRecord = ZipDirectory.FindEndRecord(stream);
        if (endRecord is null)
        {
            context.ReportInconclusive(RuleIds.ParseError, "The zip has no end-of-central-directory record; only local headers were read.");
            WalkLocalHeaders(stream, 0, stream.Length, new Dictionary<long, ZipEntryInfo>(), context, Flavour.Plain);
            return;
        }

        ScanDirectory(stream, ZipDirectory.Read(stream, endRecord.Value, context), context, polyglot: false);
    }

    /// <summary>Scans a zip found by its end record inside a file of another format.</summary>
    public void ScanEmbedded(Stream stream, ZipDirectory directory, ScanContext context) =>
        ScanDirectory(stream, directory, context, polyglot: true);

    private void ScanDirectory(Stream stream, ZipDirectory directory, ScanContext context, bool polyglot)
    {
        if (directory.BaseShift > 0 && !polyglot)
        {
            context.Report(RuleIds.Polyglot, $"{directory.BaseShift:N0} bytes of other data precede the zip archive.", 0, "prepended data");
        }

        long trailing = stream.Length - directory.EndOfArchive;
        if (trailing > 0 && !polyglot)
        {
            context.Report(RuleIds.Polyglot, $"{trailing:N0} bytes of other data follow the zip's end record.", directory.EndOfArchive, "appended data");
        }

        Flavour flavour = Classify(directory.Entries);
        if (!polyglot)
        {
            context.SetFormat(flavour switch
            {
                Flavour.PyTorch => ModelFormat.PyTorchZip,
                Flavour.TorchScript => ModelFormat.TorchScript,
                Flavour.NumPy => ModelFormat.NumPyZip,
                Flavour.Keras => ModelFormat.Keras,
                _ => ModelFormat.Zip,
            });
        }

        if (flavour == Flavour.TorchScript)
        {
            context.Report(RuleIds.TorchScriptCode, "The archive is a TorchScript module: torch.jit.load compiles and runs its code/ files.", 0, "TorchScript");
        }

        bool savedTorchScript = context.InTorchScript;
        context.InTorchScript = flavour == Flavour.TorchScript;
        bool torch = flavour is Flavour.PyTorch or Flavour.TorchScript;
        if (torch)
        {
            // torch.load runs these pickles; weights_only=True was bypassable before 2.6 (CVE-2025-32434).
            context.CveHints.Add("CVE-2025-32434");
        }

        try
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            var byOffset = new Dictionary<long, ZipEntryInfo>();
            foreach (ZipEntryInfo entry in directory.Entries)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                byOffset.TryAdd(entry.LocalHeaderOffset, entry);
                if (!names.Add(entry.Name))
                {
                    context.Report(RuleIds.ArchiveDuplicateName, $"Two entries are named '{entry.Name}'; loaders differ in which one they read.", entry.LocalHeaderOffset, entry.Name);
                }

                ScanEntry(stream, entry, context, flavour);
            }

            if (directory.DeclaredEntries > directory.Entries.Count)
            {
                context.ReportInconclusive(RuleIds.LimitExceeded,
                    $"The zip declares {directory.DeclaredEntries:N0} entries; only the first {directory.Entries.Count:N0} (MaxArchiveEntries) were scanned.",
                    directory.CentralStart, nameof(ScanLimits.MaxArchiveEntries));
            }
            else
            {
                WalkLocalHeaders(stream, directory.BaseShift, directory.CentralStart, byOffset, context, flavour);
            }
        }
        finally
        {
            context.InTorchScript = savedTorchScript;
            if (torch)
            {
                context.CveHints.RemoveAt(context.CveHints.Count - 1);
            }
        }
    }

    private void ScanEntry(Stream stream, ZipEntryInfo entry, ScanContext context, Flavour flavour)
    {
        if (ArchivePaths.Escape(entry.Name) is { } escape)
        {
            context.Report(RuleIds.ArchivePathTraversal, $"Entry '{entry.Name}' escapes the extraction root: {escape}.", entry.LocalHeaderOffset, entry.Name);
        }

        long dataOffset = ReadLocalHeader(stream, entry, context);
        if (dataOffset < 0 || entry.IsDirectory)
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

        // CRC tricks matter where a strict reader would skip code (pickles, scripts); raw tensor blobs are not re-read.
        bool storageBlob = flavour is Flavour.PyTorch or Flavour.TorchScript && StorageBlob().IsMatch(entry.Name);
        if (IsSupported(entry.Method) && entry.UncompressedSize <= MaxCrcCheckedMember && !entry.IsEncrypted && !storageBlob)
        {
            CheckCrc(stream, entry, dataOffset, context);
        }

        if (!IsSupported(entry.Method))
        {
            context.ReportInconclusive(RuleIds.FormatNotScanned, $"Entry '{entry.Name}' uses compression method {entry.Method}, which is not scanned.", entry.LocalHeaderOffset, entry.Name);
            return;
        }

        using Stream data = OpenData(stream, entry, dataOffset, context);
        if (storageBlob && !LooksExecutable(data))
        {
            return; // raw tensor bytes: torch never parses them, and they are not a format to sniff further.
        }

        context.ScanChild(entry.Name, data, entry.UncompressedSize);
    }

    // Storage blobs are scanned only when their first bytes are something a loader or a person could run.
    private static bool LooksExecutable(Stream data)
    {
        var (head, _) = PrefixedStream.Peek(data, 4096);
        if (data.CanSeek)
        {
            data.Position = 0;
        }

        ModelFormat format = FormatDetector.Detect(head, null, "");
        return format is ModelFormat.Zip or ModelFormat.Elf or ModelFormat.PE or ModelFormat.MachO or ModelFormat.SevenZip
            || (head.Length > 2 && head[0] == 0x80 && PickleSniffer.LooksLikePickle(head, null, minimumOpcodes: 8));
    }

    private static long ReadLocalHeader(Stream stream, ZipEntryInfo entry, ScanContext context)
    {
        if (entry.LocalHeaderOffset + 30 > stream.Length)
        {
            context.ReportInconclusive(RuleIds.ParseError, $"Entry '{entry.Name}' points past the end of the file.", entry.LocalHeaderOffset, entry.Name);
            return -1;
        }

        byte[] header = ZipDirectory.ReadAt(stream, entry.LocalHeaderOffset, 30);
        if (!header.AsSpan().StartsWith("PK\x03\x04"u8))
        {
            context.ReportInconclusive(RuleIds.ParseError, $"Entry '{entry.Name}' has no local header where the directory says.", entry.LocalHeaderOffset, entry.Name);
            return -1;
        }

        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(26));
        int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
        ushort localFlags = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6));
        string localName = ZipDirectory.DecodeName(ZipDirectory.ReadAt(stream, entry.LocalHeaderOffset + 30, nameLength), localFlags);
        if (localName != entry.Name)
        {
            context.Report(RuleIds.ArchiveNameMismatch,
                $"Entry '{entry.Name}' is named '{localName}' in its local header; loaders and scanners see different files.", entry.LocalHeaderOffset, localName);
        }

        return entry.LocalHeaderOffset + 30 + nameLength + extraLength;
    }

    private static bool IsSupported(ushort method) => method is 0 or 8 or 12 or 14 or 93;

    private static Stream OpenData(Stream stream, ZipEntryInfo entry, long dataOffset, ScanContext context)
    {
        var raw = new WindowStream(stream, dataOffset, entry.CompressedSize);
        Stream expanded = entry.Method switch
        {
            0 => raw,
            8 => new DeflateStream(raw, CompressionMode.Decompress),
            12 => SharpCompress.Compressors.BZip2.BZip2Stream.Create(raw, SharpCompress.Compressors.CompressionMode.Decompress, false),
            14 => OpenZipLzma(raw, entry),
            93 => new SharpCompress.Compressors.ZStandard.DecompressionStream(raw),
            _ => throw new NotSupportedException($"compression method {entry.Method}"),
        };
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
        bool pkl = false, code = false, allNpy = entries.Count > 0, config = false, metadata = false;
        foreach (ZipEntryInfo e in entries)
        {
            string n = e.Name;
            pkl |= n == "data.pkl" || n.EndsWith("/data.pkl", StringComparison.Ordinal);
            code |= n.Contains("/code/__torch__", StringComparison.Ordinal) || n.EndsWith("/constants.pkl", StringComparison.Ordinal)
                || n.EndsWith("/bytecode.pkl", StringComparison.Ordinal);
            allNpy &= e.IsDirectory || n.EndsWith(".npy", StringComparison.Ordinal);
            config |= n == "config.json";
            metadata |= n == "metadata.json";
        }

        return code ? Flavour.TorchScript : pkl ? Flavour.PyTorch : allNpy ? Flavour.NumPy : config && metadata ? Flavour.Keras : Flavour.Plain;
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
        Keras,
    }
}
