namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>Span helpers for looking at protobuf bytes in a sniffed head (the classifier and other sniffers use them).</summary>
internal static class ProtobufSniffer
{
    /// <summary>Reads a varint at <paramref name="pos"/>; false when the head ends inside it or it is longer than 10 bytes.</summary>
    internal static bool TryVarint(ReadOnlySpan<byte> h, ref int pos, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= h.Length)
            {
                return false;
            }

            byte b = h[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
