using System.Buffers.Binary;
using System.Numerics;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Orbax;

/// <summary>
/// The envelope every OCDBT manifest, version tree node and B+tree node shares (TensorStore's OCDBT storage format):
/// magic (uint32 big-endian), length of the whole encoding (uint64 little-endian), version (varint, 0), compression
/// (varint: 0 none, 1 zstd), the body, and a CRC-32C (uint32 little-endian) of everything before it.
/// </summary>
internal static class OcdbtEnvelope
{
    public const uint ManifestMagic = 0x0CDB3A2A;
    public const uint BtreeNodeMagic = 0x0CDB20DE;
    public const uint VersionNodeMagic = 0x0CDB1234;

    // Magic, length, and the two one-byte varints of version 0 and compression 0 or 1, then the CRC footer.
    public const int MinimumLength = 4 + 8 + 1 + 1 + 4;

    // TensorStore's default max_decoded_node_bytes is 8 MiB and manifests are smaller still; an envelope or decoded
    // body past this is not one TensorStore wrote, and is not read into memory.
    public const int MaxEnvelopeBytes = 64 << 20;

    public static bool HasMagic(ReadOnlySpan<byte> head, uint magic) =>
        head.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(head) == magic;

    public static string Describe(uint magic) => magic switch
    {
        ManifestMagic => "manifest",
        BtreeNodeMagic => "B+tree node",
        _ => "version tree node",
    };

    /// <summary>Reads the envelope at the start of <paramref name="data"/> (whose first byte is at
    /// <paramref name="baseOffset"/> of its file) and returns a cursor on its decoded body, or null after reporting why
    /// it is not a sound envelope. <paramref name="available"/> is how many bytes the file (or reference) has for it.</summary>
    public static OcdbtCursor? Open(ReadOnlySpan<byte> data, long available, uint magic, long baseOffset, string what, ScanContext context)
    {
        string kind = Describe(magic);
        if (data.Length < MinimumLength || available < MinimumLength)
        {
            context.Report(RuleIds.OcdbtHeaderInvalid, $"The {kind} of {what} is {Math.Min(data.Length, available):N0} bytes, shorter than an OCDBT header and footer.", baseOffset, "truncated");
            return null;
        }

        uint found = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (found != magic)
        {
            context.Report(RuleIds.OcdbtHeaderInvalid, $"The {kind} of {what} starts with 0x{found:X8}, not the OCDBT {kind} magic 0x{magic:X8}.", baseOffset, $"magic 0x{found:X8}");
            return null;
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(data[4..]);
        if (length > (ulong)available || length < MinimumLength)
        {
            context.Report(RuleIds.OcdbtHeaderInvalid,
                $"The {kind} of {what} declares {length:N0} bytes, but {available:N0} are there.", baseOffset + 4, $"length {length}");
            return null;
        }

        if (length > MaxEnvelopeBytes)
        {
            throw new ScanLimitExceededException("OCDBT envelope size", $"The {kind} of {what} is {length:N0} bytes, more than {MaxEnvelopeBytes:N0}.", baseOffset + 4);
        }

        // The caller read what the file holds of it; fewer bytes than declared means the file ended first.
        if (length > (ulong)data.Length)
        {
            context.Report(RuleIds.OcdbtHeaderInvalid,
                $"The {kind} of {what} declares {length:N0} bytes, but only {data.Length:N0} could be read.", baseOffset + 4, $"length {length}");
            return null;
        }

        ReadOnlySpan<byte> whole = data[..(int)length];
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(whole[^4..]);
        uint computed = Crc32C(whole[..^4]);
        if (stored != computed)
        {
            context.Report(RuleIds.OcdbtChecksumMismatch,
                $"The CRC-32C of the {kind} of {what} is 0x{computed:X8}; its footer says 0x{stored:X8}.", baseOffset + (long)length - 4, $"crc 0x{stored:X8}");
            return null;
        }

        var cursor = new OcdbtCursor(whole[..^4].ToArray(), baseOffset);
        cursor.Skip(12);
        long versionAt = cursor.Offset;
        ulong version = cursor.Varint();
        ulong compression = cursor.Varint();
        if (version != 0 || compression > 1)
        {
            context.Report(RuleIds.OcdbtHeaderInvalid, version != 0
                ? $"The {kind} of {what} has format version {version}; OCDBT defines only version 0."
                : $"The {kind} of {what} has compression {compression}; OCDBT defines 0 (none) and 1 (zstd).", versionAt, version != 0 ? $"version {version}" : $"compression {compression}");
            return null;
        }

        long bodyAt = cursor.Offset;
        byte[] body = cursor.Rest();
        if (compression == 0)
        {
            return new OcdbtCursor(body, bodyAt);
        }

        // Offsets inside a decoded body are not file offsets; findings there name where the compressed body starts.
        return OcdbtZstd.Decode(body, bodyAt, what, context) is { } decoded ? new OcdbtCursor(decoded, bodyAt, exactOffsets: false) : null;
    }

    // CRC-32C (Castagnoli) with the usual all-ones start and final inversion; BitOperations uses the CPU's CRC32
    // instruction where there is one.
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
