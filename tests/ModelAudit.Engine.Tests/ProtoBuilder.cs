using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Writes protobuf wire format by hand (field numbers from the official .proto files), as the real
/// serializers do: fields in field-number order, packed repeated scalars, length-prefixed nested messages.</summary>
internal sealed class ProtoBuilder
{
    private readonly MemoryStream _out = new();

    public ProtoBuilder Varint(int field, long value)
    {
        Tag(field, 0);
        WriteVarint(unchecked((ulong)value));
        return this;
    }

    public ProtoBuilder Fixed32(int field, uint value)
    {
        Tag(field, 5);
        _out.Write(BitConverter.GetBytes(value));
        return this;
    }

    public ProtoBuilder Bytes(int field, byte[] value)
    {
        Tag(field, 2);
        WriteVarint((ulong)value.Length);
        _out.Write(value);
        return this;
    }

    public ProtoBuilder String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoBuilder Message(int field, ProtoBuilder message) => Bytes(field, message.ToArray());

    public ProtoBuilder Message(int field, Action<ProtoBuilder> build)
    {
        var nested = new ProtoBuilder();
        build(nested);
        return Message(field, nested);
    }

    public ProtoBuilder Packed(int field, params long[] values)
    {
        var packed = new ProtoBuilder();
        foreach (long v in values)
        {
            packed.WriteVarint(unchecked((ulong)v));
        }

        return Bytes(field, packed.ToArray());
    }

    /// <summary>A string→string map entry (key = 1, value = 2).</summary>
    public ProtoBuilder Entry(int field, string key, string value) => Message(field, e => e.String(1, key).String(2, value));

    public byte[] ToArray() => _out.ToArray();

    private void Tag(int field, int wire) => WriteVarint(((ulong)field << 3) | (uint)wire);

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _out.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _out.WriteByte((byte)value);
    }
}
