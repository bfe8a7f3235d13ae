using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>
/// Recognises protobuf-encoded models (ONNX, TensorFlow, Core ML, Paddle) by structure: a run of well-formed
/// fields with valid wire types whose lengths fit. ONNX is told apart by its leading <c>ir_version</c> field.
/// </summary>
internal static class ProtobufSniffer
{
    public static ModelFormat? Detect(ReadOnlySpan<byte> h, long? length)
    {
        int pos = 0;
        int fields = 0;
        int firstField = 0;
        ulong firstValue = 0;
        bool onnxFieldSeen = false;
        bool truncated = false;
        while (pos < h.Length)
        {
            if (!TryVarint(h, ref pos, out ulong tag))
            {
                truncated = true;
                break;
            }

            ulong field = tag >> 3;
            int wire = (int)(tag & 7);
            if (field == 0 || field > 536_870_911)
            {
                return null;
            }

            ulong value = 0;
            switch (wire)
            {
                case 0:
                    if (!TryVarint(h, ref pos, out value))
                    {
                        truncated = true;
                    }

                    break;
                case 1:
                    pos += 8;
                    break;
                case 2:
                    if (!TryVarint(h, ref pos, out ulong len))
                    {
                        truncated = true;
                        break;
                    }

                    if (length is { } total && (ulong)pos + len > (ulong)total)
                    {
                        return null;
                    }

                    if ((ulong)pos + len > (ulong)h.Length)
                    {
                        truncated = true;
                    }

                    pos = (int)Math.Min((ulong)h.Length, (ulong)pos + len);
                    break;
                case 5:
                    pos += 4;
                    break;
                default:
                    return null;
            }

            if (fields == 0)
            {
                firstField = (int)field;
                firstValue = value;
            }

            if (field is 2 or 7 or 8 && wire == 2)
            {
                onnxFieldSeen = true;
            }

            fields++;
            if (truncated)
            {
                break;
            }
        }

        if (pos > h.Length && length is { } known && pos > known)
        {
            return null;
        }

        if (firstField == 1 && firstValue is >= 1 and <= 64 && onnxFieldSeen && fields >= 2)
        {
            return ProtobufRecognizer.Onnx;
        }

        return fields >= 3 ? ProtobufRecognizer.Protobuf : null;
    }

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
