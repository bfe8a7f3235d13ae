using System.Buffers.Binary;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.CoreML;

/// <summary>
/// Walks an ML Program weight file (coremltools' MILBlob storage format): a 64-byte header (u32 count, u32 version 2),
/// then per blob a 64-byte metadata record (u32 sentinel 0xDEADBEEF, u32 dtype, u64 size, u64 offset) and its data,
/// every entry 64-byte aligned. Each blob's range is checked against the file; the data is skipped.
/// </summary>
internal static class CoreMLWeightBlobs
{
    public const uint Sentinel = 0xDEADBEEF;
    private const int Alignment = 64;

    public static bool LooksLikeWeights(ReadOnlySpan<byte> h) =>
        h.Length >= 72 && BinaryPrimitives.ReadUInt32LittleEndian(h[4..]) == 2
        && (BinaryPrimitives.ReadUInt32LittleEndian(h) == 0 || BinaryPrimitives.ReadUInt32LittleEndian(h[64..]) == Sentinel)
        && !h[8..64].ContainsAnyExcept((byte)0);

    public static void Walk(Stream stream, long? length, ScanContext context)
    {
        byte[] record = new byte[Alignment];
        if (stream.ReadAtMost(record) < Alignment)
        {
            throw new ModelFormatException("The weight file is shorter than its 64-byte header.", 0);
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(record);
        long position = Alignment;
        for (uint i = 0; i < count; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (stream.ReadAtMost(record) < Alignment || BinaryPrimitives.ReadUInt32LittleEndian(record) != Sentinel)
            {
                Invalid(context, position, $"blob {i} of {count} has no metadata record (sentinel) at offset {position:N0}");
                return;
            }

            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(8));
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(16));
            long dataStart = position + Alignment;
            if (offset != (ulong)dataStart || (length is { } total && size > (ulong)(total - dataStart)))
            {
                Invalid(context, position, $"blob {i} says {size:N0} bytes at offset {offset:N0}, which is not the data that follows its record or runs past the end of the file");
                return;
            }

            context.ReportTensor(new TensorRegion($"blob@{position}", $"mil{BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(4))}",
                Array.Empty<long>(), dataStart, (long)size));
            long next = checked(dataStart + (((long)size + Alignment - 1) / Alignment * Alignment));
            long skip = Math.Min(next, length ?? long.MaxValue) - dataStart;
            if (stream.Skip(skip, context.CancellationToken) < skip)
            {
                Invalid(context, dataStart, $"blob {i} is truncated");
                return;
            }

            position = dataStart + skip;
        }
    }

    private static void Invalid(ScanContext context, long offset, string why) =>
        context.Report(RuleIds.CoreMLWeightsInvalid, $"The Core ML weight file is not as coremltools writes it: {why}.", offset);
}
