using ModelAudit.Engine.IO;

namespace ModelAudit.Engine.Containers;

/// <summary>Signatures and positioned reads shared by the zip readers.</summary>
internal static class ZipBytes
{
    public static ReadOnlySpan<byte> LocalSignature => "PK\x03\x04"u8;

    public static ReadOnlySpan<byte> CentralSignature => "PK\x01\x02"u8;

    public static ReadOnlySpan<byte> DescriptorSignature => "PK\x07\x08"u8;

    /// <summary>Reads exactly <paramref name="count"/> bytes at <paramref name="offset"/>; malformed when they are not there.</summary>
    public static byte[] ReadAt(Stream stream, long offset, int count)
    {
        byte[] buffer = new byte[count];
        if (offset < 0 || offset > stream.Length)
        {
            throw new ModelFormatException("zip structure points outside the file", offset);
        }

        stream.Position = offset;
        if (stream.ReadAtMost(buffer) < count)
        {
            throw new ModelFormatException("zip structure runs past the end of the file", offset);
        }

        return buffer;
    }

    /// <summary>An offset from the archive plus a shift, saturated: archive offsets are attacker-chosen and must not wrap.</summary>
    public static long Offset(long value, long shift) =>
        shift > 0 && value > long.MaxValue - shift ? long.MaxValue : shift < 0 && value < long.MinValue - shift ? long.MinValue : value + shift;

    public static bool HasSignatureAt(Stream stream, long offset, ReadOnlySpan<byte> signature)
    {
        if (offset < 0 || offset + 4 > stream.Length)
        {
            return false;
        }

        Span<byte> sig = stackalloc byte[4];
        stream.Position = offset;
        return stream.ReadAtMost(sig) == 4 && sig.SequenceEqual(signature);
    }
}
