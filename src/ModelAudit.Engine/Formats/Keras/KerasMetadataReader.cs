using System.Text;
using ModelAudit.Engine.Formats.Protobuf;

namespace ModelAudit.Engine.Formats.Keras;

/// <summary>
/// The wire format of keras_metadata.pb (tf.keras saved_metadata.proto): <c>SavedMetadata { repeated SavedObject
/// nodes = 1; }</c>, <c>SavedObject { int32 node_id = 2; string node_path = 3; string identifier = 4; string
/// metadata = 5; VersionDef version = 6; }</c>. Only identifier and metadata are kept.
/// </summary>
internal static class KerasMetadataReader
{
    private const int NodesField = 1;
    private const int IdentifierField = 4;
    private const int MetadataField = 5;

    /// <summary>The head starts with a nodes entry (field 1, length-delimited) whose first field is one SavedObject has.</summary>
    public static bool LooksLikeSavedMetadata(ReadOnlySpan<byte> head)
    {
        int pos = 0;
        if (!ProtobufSniffer.TryVarint(head, ref pos, out ulong tag) || tag != (NodesField << 3 | 2)
            || !ProtobufSniffer.TryVarint(head, ref pos, out ulong _)
            || !ProtobufSniffer.TryVarint(head, ref pos, out ulong inner))
        {
            return false;
        }

        return (inner >> 3) is >= 2 and <= 6 && (inner & 7) is 0 or 2;
    }

    /// <summary>Every node's (identifier, metadata). Throws <see cref="ModelFormatException"/> for malformed wire data.</summary>
    public static List<(string Identifier, string Metadata)> ReadNodes(byte[] data)
    {
        var nodes = new List<(string, string)>();
        int pos = 0;
        while (pos < data.Length)
        {
            (int field, int wire) = Tag(data, ref pos);
            if (field == NodesField && wire == 2)
            {
                ReadOnlySpan<byte> node = Length(data, ref pos);
                nodes.Add(ReadNode(node));
            }
            else
            {
                SkipValue(data, ref pos, wire);
            }
        }

        return nodes;
    }

    private static (string, string) ReadNode(ReadOnlySpan<byte> node)
    {
        string identifier = "", metadata = "";
        int pos = 0;
        while (pos < node.Length)
        {
            (int field, int wire) = Tag(node, ref pos);
            if (wire == 2 && field is IdentifierField or MetadataField)
            {
                string text = Encoding.UTF8.GetString(Length(node, ref pos));
                if (field == IdentifierField)
                {
                    identifier = text;
                }
                else
                {
                    metadata = text;
                }
            }
            else
            {
                SkipValue(node, ref pos, wire);
            }
        }

        return (identifier, metadata);
    }

    private static (int Field, int Wire) Tag(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong tag = Varint(data, ref pos);
        return tag >> 3 is > 0 and <= int.MaxValue ? ((int)(tag >> 3), (int)(tag & 7)) : throw new ModelFormatException($"invalid protobuf tag at offset {pos}");
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int pos) =>
        ProtobufSniffer.TryVarint(data, ref pos, out ulong value) ? value : throw new ModelFormatException($"truncated protobuf varint at offset {pos}");

    private static ReadOnlySpan<byte> Length(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong length = Varint(data, ref pos);
        if (length > (ulong)(data.Length - pos))
        {
            throw new ModelFormatException($"a protobuf field of {length:N0} bytes runs past the end at offset {pos}");
        }

        ReadOnlySpan<byte> value = data.Slice(pos, (int)length);
        pos += (int)length;
        return value;
    }

    private static void SkipValue(ReadOnlySpan<byte> data, ref int pos, int wire)
    {
        int skip = wire switch
        {
            0 => 0,
            1 => 8,
            2 => -1,
            5 => 4,
            _ => throw new ModelFormatException($"unsupported protobuf wire type {wire} at offset {pos}"),
        };
        if (wire == 0)
        {
            Varint(data, ref pos);
        }
        else if (skip < 0)
        {
            Length(data, ref pos);
        }
        else if (skip > data.Length - pos)
        {
            throw new ModelFormatException($"a protobuf field runs past the end at offset {pos}");
        }
        else
        {
            pos += skip;
        }
    }
}
