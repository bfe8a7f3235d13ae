using System.Buffers.Binary;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Orbax;

/// <summary>
/// Checks an OCDBT manifest (<c>manifest.ocdbt</c>, or a numbered <c>manifest.XXXXXXXXXXXXXXXX</c>): its envelope, its
/// configuration, its data file table and version references, and then, for a manifest on the local disk, the B+tree
/// of its latest version (the one a restore reads) through <see cref="OcdbtTreeWalker"/>.
/// </summary>
internal static class OcdbtManifest
{
    // The manifest kinds the format defines: 0 holds the version tree, 1 only the configuration (the tree is in
    // numbered manifests beside it).
    private const ulong SingleKind = 0;
    private const ulong NumberedKind = 1;

    // Generation, height, file, offset, length, three statistics and an 8-byte commit time: the fewest bytes a
    // version reference takes.
    private const int MinVersionBytes = 16;

    public static void Check(Stream stream, long? length, ScanContext context)
    {
        // Read as far as the file goes, never past the envelope bound; the declared length is then checked against
        // these bytes, so nothing is ever allocated from it.
        if (length > OcdbtEnvelope.MaxEnvelopeBytes || BoundedRead.All(stream, OcdbtEnvelope.MaxEnvelopeBytes) is not { } data)
        {
            throw new ScanLimitExceededException("OCDBT envelope size", $"The manifest is larger than {OcdbtEnvelope.MaxEnvelopeBytes:N0} bytes.");
        }

        long available = length ?? data.Length;
        if (OcdbtEnvelope.Open(data, available, OcdbtEnvelope.ManifestMagic, 0, "the manifest", context) is not { } body)
        {
            return;
        }

        // TensorStore reads the manifest as the whole file: bytes after the declared length are not its.
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(4));
        if (declared < (ulong)available)
        {
            context.Report(RuleIds.OcdbtHeaderInvalid, $"The manifest declares {declared:N0} bytes, but the file has {available:N0}.", 4, "trailing data");
            return;
        }

        IReadOnlyList<OcdbtDataFileRef> table;
        OcdbtVersionRef? latest;
        try
        {
            if (!Config(body))
            {
                return;
            }

            table = OcdbtDataFileTable.Read(body);
            latest = Versions(body, table.Count);
            VersionNodes(body, table.Count);
            if (!body.AtEnd)
            {
                throw new ModelFormatException($"{body.Remaining:N0} bytes follow the version tree.", body.Offset);
            }
        }
        catch (ModelFormatException ex)
        {
            context.Report(RuleIds.OcdbtHeaderInvalid, $"The manifest's body does not decode as OCDBT: {ex.Message}", ex.Offset, "body");
            return;
        }

        if (latest is not { Length: > 0 } root)
        {
            return;
        }

        // Only a file on the local disk has its data files beside it to read.
        if (context.Depth != 0 || !Path.IsPathFullyQualified(context.Path) || !File.Exists(context.Path))
        {
            context.ReportInconclusive(RuleIds.OcdbtTreeNotFollowed,
                "The manifest's B+tree lives in data files that cannot be opened beside it here; its keys and values were not checked.", null, table[root.DataFile].BasePath + table[root.DataFile].RelativePath);
            return;
        }

        using var walker = new OcdbtTreeWalker(Path.GetDirectoryName(context.Path)!, context);
        walker.Walk(table[root.DataFile], root);
    }

    // Returns false for a configuration-only manifest (numbered kind): its version tree is in other files.
    private static bool Config(OcdbtCursor body)
    {
        body.Skip(16); // uuid
        long kindAt = body.Offset;
        ulong kind = body.Varint();
        body.Varint(); // max_inline_value_bytes
        body.Varint(); // max_decoded_node_bytes
        body.Byte(); // version_tree_arity_log2
        ulong compression = body.Varint();
        if (compression == 1)
        {
            body.Skip(4); // zstd level, int32le
        }
        else if (compression != 0)
        {
            throw new ModelFormatException($"Compression method {compression} is not one OCDBT defines.", body.Offset);
        }

        if (kind is not (SingleKind or NumberedKind))
        {
            throw new ModelFormatException($"Manifest kind {kind} is not one OCDBT defines.", kindAt);
        }

        return kind == SingleKind;
    }

    // The inline versions; returns the latest (the highest generation), which is what a restore reads.
    private static OcdbtVersionRef? Versions(OcdbtCursor body, int files)
    {
        int count = body.Count(MinVersionBytes, "The inline versions");
        var generation = new ulong[count];
        var height = new int[count];
        var file = new int[count];
        var offset = new ulong[count];
        var length = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            generation[i] = body.Varint();
            if (generation[i] == 0 || (i > 0 && generation[i] <= generation[i - 1]))
            {
                throw new ModelFormatException("Generation numbers are zero or not increasing.", body.Offset);
            }
        }

        for (int i = 0; i < count; i++)
        {
            height[i] = body.Byte();
        }

        for (int i = 0; i < count; i++)
        {
            file[i] = DataFile(body, files);
        }

        for (int i = 0; i < count; i++)
        {
            offset[i] = body.Varint();
        }

        for (int i = 0; i < count; i++)
        {
            length[i] = body.Varint();
        }

        for (int i = 0; i < 3 * count; i++)
        {
            body.Varint(); // num_keys, num_tree_bytes, num_indirect_value_bytes
        }

        for (int i = 0; i < count; i++)
        {
            body.UInt64(); // commit_time
        }

        return count == 0 ? null : new OcdbtVersionRef(generation[^1], height[^1], file[^1], offset[^1], length[^1]);
    }

    // References to version tree nodes of older versions: decoded to check the body, not followed (a restore reads
    // the latest version).
    private static void VersionNodes(OcdbtCursor body, int files)
    {
        int count = body.Count(MinVersionBytes - 2, "The version tree node references");
        for (int i = 0; i < count; i++)
        {
            body.Varint(); // generation_number
        }

        for (int i = 0; i < count; i++)
        {
            DataFile(body, files);
        }

        for (int i = 0; i < 3 * count; i++)
        {
            body.Varint(); // offset, length, num_generations
        }

        for (int i = 0; i < count; i++)
        {
            body.UInt64(); // commit_time
        }

        for (int i = 0; i < count; i++)
        {
            body.Byte(); // entry_height
        }
    }

    public static int DataFile(OcdbtCursor body, int files)
    {
        long at = body.Offset;
        ulong id = body.Varint();
        return id < (ulong)files ? (int)id : throw new ModelFormatException($"Data file {id} is not in the {files}-row data file table.", at);
    }
}
