using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Orbax;

/// <summary>Decodes a zstd-compressed OCDBT body (compression 1), bounded by <see cref="OcdbtEnvelope.MaxEnvelopeBytes"/>
/// and the file's expanded-byte budget.</summary>
internal static class OcdbtZstd
{
    public static byte[]? Decode(byte[] compressed, long offset, string what, ScanContext context)
    {
        byte[]? decoded;
        try
        {
            using var zstd = new SharpCompress.Compressors.ZStandard.DecompressionStream(new MemoryStream(compressed, writable: false), leaveOpen: false);
            decoded = BoundedRead.All(zstd, OcdbtEnvelope.MaxEnvelopeBytes);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            context.Report(RuleIds.OcdbtHeaderInvalid, $"The zstd body of {what} does not decode: {ex.Message}", offset, "zstd");
            return null;
        }

        if (decoded is null)
        {
            throw new ScanLimitExceededException("OCDBT decoded size", $"The body of {what} decodes to more than {OcdbtEnvelope.MaxEnvelopeBytes:N0} bytes.", offset);
        }

        if (!context.TryAddExpanded(decoded.Length))
        {
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxExpandedBytes), $"Decoding {what} spends the file's expanded-byte budget.", offset);
        }

        return decoded;
    }
}
