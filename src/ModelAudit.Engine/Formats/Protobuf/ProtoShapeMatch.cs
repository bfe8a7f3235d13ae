using System.Text;

namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>
/// Checks the first bytes of a file against a <see cref="ProtoShape"/>: every field seen (top level and, as far as
/// the bytes go, nested) must be declared with a matching wire type, strings must be text where the .proto says so,
/// and every length must fit. Bytes cut off at the end of the head are fine: the head is a prefix.
/// </summary>
internal sealed class ProtoShapeMatch
{
    // Nested levels checked in a head; deeper structure is left to the scanner.
    private const int MaxMatchDepth = 8;

    private static readonly UTF8Encoding s_strictUtf8 = new(false, true);

    private ProtoShapeMatch()
    {
    }

    /// <summary>True when nothing in the bytes contradicts the shape.</summary>
    public bool Matches { get; private set; } = true;

    /// <summary>Fields checked, at every level (how much evidence the match rests on).</summary>
    public int FieldsMatched { get; private set; }

    /// <summary>Top-level field numbers seen.</summary>
    public HashSet<int> TopFields { get; } = new();

    /// <summary>The first top-level varint value of each field number.</summary>
    public Dictionary<int, ulong> TopVarints { get; } = new();

    public static ProtoShapeMatch Of(ReadOnlySpan<byte> head, bool headIsWhole, ProtoShape shape)
    {
        var match = new ProtoShapeMatch();
        match.Matches = match.Walk(head, headIsWhole, shape, 0);
        return match;
    }

    private bool Walk(ReadOnlySpan<byte> data, bool complete, ProtoShape shape, int depth)
    {
        int pos = 0;
        while (pos < data.Length)
        {
            if (!ProtobufSniffer.TryVarint(data, ref pos, out ulong tag))
            {
                return !complete;
            }

            ulong number = tag >> 3;
            int wire = (int)(tag & 7);
            if (number == 0 || number > 536_870_911 || !shape.TryGet((int)number, out ProtoFieldKind kind, out ProtoShape? nested))
            {
                return false;
            }

            if (!WireFits(kind, wire))
            {
                return false;
            }

            FieldsMatched++;
            if (depth == 0)
            {
                TopFields.Add((int)number);
            }

            switch (wire)
            {
                case 0:
                    if (!ProtobufSniffer.TryVarint(data, ref pos, out ulong value))
                    {
                        return !complete;
                    }

                    if (depth == 0)
                    {
                        TopVarints.TryAdd((int)number, value);
                    }

                    break;
                case 1:
                case 5:
                    int size = wire == 1 ? 8 : 4;
                    if (pos + size > data.Length)
                    {
                        return !complete;
                    }

                    pos += size;
                    break;
                default:
                    if (!ProtobufSniffer.TryVarint(data, ref pos, out ulong length))
                    {
                        return !complete;
                    }

                    bool whole = (ulong)(data.Length - pos) >= length;
                    if (!whole && complete)
                    {
                        return false;
                    }

                    ReadOnlySpan<byte> payload = whole ? data.Slice(pos, (int)length) : data[pos..];
                    if (!PayloadFits(kind, nested, payload, whole, depth))
                    {
                        return false;
                    }

                    if (!whole)
                    {
                        return true;
                    }

                    pos += (int)length;
                    break;
            }
        }

        return true;
    }

    private static bool WireFits(ProtoFieldKind kind, int wire) => kind switch
    {
        ProtoFieldKind.Varint => wire == 0,
        ProtoFieldKind.PackedVarint => wire is 0 or 2,
        ProtoFieldKind.Fixed32 => wire is 5 or 2,
        ProtoFieldKind.Fixed64 => wire is 1 or 2,
        _ => wire == 2,
    };

    private bool PayloadFits(ProtoFieldKind kind, ProtoShape? nested, ReadOnlySpan<byte> payload, bool whole, int depth)
    {
        switch (kind)
        {
            case ProtoFieldKind.Message when nested is not null && depth < MaxMatchDepth:
                return Walk(payload, whole, nested, depth + 1);
            case ProtoFieldKind.Utf8:
                return IsUtf8(payload, whole);
            case ProtoFieldKind.PrintableText:
                return IsTextWithBreaks(payload, whole);
            case ProtoFieldKind.Identifier:
                foreach (byte b in payload)
                {
                    if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'.' or (byte)'>' or (byte)'-'))
                    {
                        return false;
                    }
                }

                return payload.Length > 0 || whole;
            default:
                return true;
        }
    }

    private static bool IsTextWithBreaks(ReadOnlySpan<byte> payload, bool whole)
    {
        foreach (byte b in payload)
        {
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r'))
            {
                return false;
            }
        }

        return IsUtf8(payload, whole);
    }

    // A prefix cut off by the head may end inside a multi-byte character: up to three bytes are forgiven.
    private static bool IsUtf8(ReadOnlySpan<byte> payload, bool whole)
    {
        for (int cut = 0; cut <= (whole ? 0 : Math.Min(3, payload.Length)); cut++)
        {
            try
            {
                s_strictUtf8.GetCharCount(payload[..^cut]);
                return true;
            }
            catch (DecoderFallbackException)
            {
            }
        }

        return false;
    }
}
