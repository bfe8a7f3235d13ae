using System.Text;
using System.Text.RegularExpressions;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.TensorFlowCheckpoint;

/// <summary>
/// TensorFlow checkpoints in the tensor bundle format (tf.train.Checkpoint, Saver V2, a SavedModel's variables/):
/// <c>prefix.index</c> is a table keyed by tensor name whose empty key holds the BundleHeaderProto (num_shards = 1,
/// endianness = 2, version = 3) and every other key a BundleEntryProto (dtype = 1, shape = 2, shard_id = 3,
/// offset = 4, size = 5, crc32c = 6, slices = 7; tensorflow/core/protobuf/tensor_bundle.proto). Each entry must name
/// an existing shard and fit inside it; the shards (<c>prefix.data-0000i-of-0000n</c>) are attributed to the index by
/// <see cref="CheckpointShardResolver"/>. Nothing here runs code: a restore only copies bytes into variables.
/// </summary>
internal sealed partial class TensorFlowCheckpointScanner : IFormatScanner
{
    // A checkpoint written by TensorFlow never has more shards than its savers (one per device); far more is corruption.
    private const int MaxShards = 100_000;

    // Dimensions per tensor shape (TensorFlow's own limit, TensorShape::MaxDimensions).
    private const int MaxDimensions = 254;

    public ScannerInfo Info { get; } = new("tf-checkpoint", "TensorFlow checkpoint", new[] { TensorFlowCheckpointFormats.Index });

    // The table magic is at the end: seen directly when the head is the whole file; otherwise the .index name proposes
    // the reading and the scan checks the magic (a different file steps aside without a finding).
    public Reading? Sniff(SniffInput input)
    {
        if (input.HeadIsWhole && SstableReader.HasMagic(input.Head))
        {
            return new Reading(TensorFlowCheckpointFormats.Index, this, ReadingStrength.Structural);
        }

        return input.Name.EndsWith(".index", StringComparison.OrdinalIgnoreCase) ? new Reading(TensorFlowCheckpointFormats.Index, this, ReadingStrength.Plausible) : null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        byte[] table = ReadWhole(input, context);
        if (!SstableReader.HasMagic(table))
        {
            throw new NotThisFormatException("no table magic at the end");
        }

        int? shards = null;
        var entries = new List<BundleEntry>();
        foreach ((byte[] key, byte[] value) in SstableReader.Entries(table, context.Limits.MaxArchiveEntries))
        {
            if (key.Length == 0)
            {
                shards = ReadHeader(value, context);
            }
            else
            {
                entries.Add(ReadEntry(Encoding.UTF8.GetString(key), value, context));
            }
        }

        if (shards is not { } count)
        {
            // BundleReader fails without its header entry: nothing is restored from such an index.
            throw new ModelFormatException("The checkpoint index has no header entry (the empty key).");
        }

        CheckEntries(entries, count, context);
    }

    /// <summary>The shard file names of a bundle with <paramref name="count"/> shards (tensor_bundle.cc DataFilename).</summary>
    public static string ShardName(string prefix, int shard, int count) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{prefix}.data-{shard:D5}-of-{count:D5}");

    private static byte[] ReadWhole(ScanInput input, ScanContext context)
    {
        long length = input.Length ?? (input.Stream.CanSeek ? input.Stream.Length : -1);
        int max = context.Limits.MaxHeaderBytes;
        if (length > max)
        {
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxHeaderBytes), $"The checkpoint index is {length:N0} bytes, over the {max:N0}-byte limit for metadata.");
        }

        using var copy = new MemoryStream();
        byte[] buffer = new byte[81920];
        int read;
        while ((read = input.Stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (copy.Length + read > max)
            {
                throw new ScanLimitExceededException(nameof(ScanLimits.MaxHeaderBytes), $"The checkpoint index is over the {max:N0}-byte limit for metadata.");
            }

            copy.Write(buffer, 0, read);
        }

        return copy.ToArray();
    }

    private static int ReadHeader(byte[] value, ScanContext context)
    {
        var reader = new ProtoReader(new MemoryStream(value, writable: false), value.Length, context.Limits.MaxProtobufNesting, context.CancellationToken);
        long shards = 0, endianness = 0;
        while (reader.Next())
        {
            switch (reader.Field, reader.Wire)
            {
                case (1, ProtoWireType.Varint):
                    shards = reader.ReadInt64();
                    break;
                case (2, ProtoWireType.Varint):
                    endianness = reader.ReadInt64();
                    break;
                default:
                    reader.SkipField();
                    break;
            }
        }

        if (shards is < 1 or > MaxShards)
        {
            throw new ModelFormatException($"The checkpoint header declares {shards:N0} shards.");
        }

        if (endianness != 0)
        {
            context.Report(RuleIds.CheckpointEntryInvalid, "The checkpoint is big-endian; little-endian readers refuse it.", null, "endianness");
        }

        return (int)shards;
    }

    private static BundleEntry ReadEntry(string name, byte[] value, ScanContext context)
    {
        var reader = new ProtoReader(new MemoryStream(value, writable: false), value.Length, context.Limits.MaxProtobufNesting, context.CancellationToken);
        long dtype = 0, shard = 0, offset = 0, size = 0;
        bool unknownRank = false, sliced = false;
        var shape = new List<long>();
        while (reader.Next())
        {
            switch (reader.Field, reader.Wire)
            {
                case (1, ProtoWireType.Varint):
                    dtype = reader.ReadInt64();
                    break;
                case (2, ProtoWireType.LengthDelimited):
                    reader.InMessage(() => unknownRank |= ReadShape(reader, shape));
                    break;
                case (3, ProtoWireType.Varint):
                    shard = reader.ReadInt64();
                    break;
                case (4, ProtoWireType.Varint):
                    offset = reader.ReadInt64();
                    break;
                case (5, ProtoWireType.Varint):
                    size = reader.ReadInt64();
                    break;
                case (7, _):
                    sliced = true;
                    reader.SkipField();
                    break;
                default:
                    reader.SkipField();
                    break;
            }
        }

        return new BundleEntry(name, (int)Math.Clamp(dtype, int.MinValue, int.MaxValue), shape, unknownRank,
            (int)Math.Clamp(shard, int.MinValue, int.MaxValue), offset, size, sliced);
    }

    // TensorShapeProto: dim = 2 (Dim.size = 1), unknown_rank = 3. A size of -1 is an unknown dimension.
    private static bool ReadShape(ProtoReader reader, List<long> shape)
    {
        bool unknown = false;
        while (reader.Next())
        {
            if (reader.Field == 2 && reader.Wire == ProtoWireType.LengthDelimited)
            {
                long size = -1;
                reader.InMessage(() =>
                {
                    while (reader.Next())
                    {
                        if (reader.Field == 1 && reader.Wire == ProtoWireType.Varint)
                        {
                            size = reader.ReadInt64();
                        }
                        else
                        {
                            reader.SkipField();
                        }
                    }
                });
                if (shape.Count >= MaxDimensions)
                {
                    throw new ModelFormatException($"A checkpoint tensor has more than {MaxDimensions} dimensions.");
                }

                shape.Add(size);
            }
            else if (reader.Field == 3 && reader.Wire == ProtoWireType.Varint)
            {
                unknown |= reader.ReadInt64() != 0;
            }
            else
            {
                reader.SkipField();
            }
        }

        return unknown;
    }

    private static void CheckEntries(List<BundleEntry> entries, int shards, ScanContext context)
    {
        string? prefix = LocalPrefix(context);
        var lengths = new long?[Math.Min(shards, 1024)];
        foreach (BundleEntry entry in entries)
        {
            // The offsets are in a data shard, not in this index: summarised, never read from the index's bytes.
            context.ReportTensor(new TensorRegion(entry.Name, TensorFlowDataTypes.Name(entry.DType), entry.Shape, entry.Offset, entry.Size), decodable: false);
            if (entry.ShardId < 0 || entry.ShardId >= shards || entry.Offset < 0 || entry.Size < 0)
            {
                context.Report(RuleIds.CheckpointEntryInvalid,
                    $"Tensor '{entry.Name}' is in shard {entry.ShardId} at offset {entry.Offset:N0} ({entry.Size:N0} bytes), but the checkpoint has {shards} shard(s).",
                    null, entry.Name);
                continue;
            }

            if (!entry.Sliced && !entry.UnknownShape && ExpectedBytes(entry) is { } expected && expected != entry.Size)
            {
                context.Report(RuleIds.CheckpointEntryInvalid,
                    $"Tensor '{entry.Name}' ({TensorFlowDataTypes.Name(entry.DType)}[{string.Join(",", entry.Shape)}]) should take {expected:N0} bytes but its entry says {entry.Size:N0}.",
                    null, entry.Name);
            }

            if (prefix is not null && entry.ShardId < lengths.Length)
            {
                CheckShardRange(context, prefix, shards, entry, lengths);
            }
        }
    }

    private static void CheckShardRange(ScanContext context, string prefix, int shards, BundleEntry entry, long?[] lengths)
    {
        string shard = ShardName(prefix, entry.ShardId, shards);
        lengths[entry.ShardId] ??= File.Exists(shard) ? new FileInfo(shard).Length : -1;
        long length = lengths[entry.ShardId]!.Value;
        if (length < 0)
        {
            context.Report(RuleIds.CheckpointShardMissing,
                $"Tensor '{entry.Name}' is in '{Path.GetFileName(shard)}', which is not beside the index; restoring fails or reads whatever is put there later.",
                null, Path.GetFileName(shard));
        }
        else if (entry.Offset > length || entry.Size > length - entry.Offset)
        {
            context.Report(RuleIds.CheckpointEntryInvalid,
                $"Tensor '{entry.Name}' reads {entry.Size:N0} bytes at offset {entry.Offset:N0} of '{Path.GetFileName(shard)}', which holds {length:N0} bytes.",
                null, entry.Name);
        }
    }

    private static long? ExpectedBytes(BundleEntry entry)
    {
        int element = TensorFlowDataTypes.ElementBytes(entry.DType);
        if (element == 0 || entry.Shape.Any(d => d < 0))
        {
            return null;
        }

        try
        {
            return entry.Shape.Aggregate((long)element, (a, d) => checked(a * d));
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }
    }

    // The bundle's prefix on the local disk ("/m/variables/variables" for "/m/variables/variables.index"), or null when
    // the index is not a local file (a member of an archive, a remote object): there are no shards to look at then.
    private static string? LocalPrefix(ScanContext context) =>
        context.Depth == 0 && Path.IsPathFullyQualified(context.Path) && File.Exists(context.Path) && IndexName().IsMatch(context.Path)
            ? context.Path[..^".index".Length] : null;

    [GeneratedRegex(@"\.index$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex IndexName();
}
