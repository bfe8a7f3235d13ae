using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// Hand-encodes flatbuffers following the FlatBuffers binary format: a root uoffset (and optional 4-byte file
/// identifier), tables with a vtable before them, vectors and strings as u32 length + data, every reference an
/// unsigned offset forward from where it is stored. Fixtures for TFLite (schema.fbs field ids) and CatBoost.
/// </summary>
internal sealed class FlatBufferWriter
{
    private readonly List<byte> _bytes = new();

    /// <summary>A value of a table field or vector element.</summary>
    public abstract record Node;

    /// <summary>A table: field index → value (scalars as little-endian bytes, or references).</summary>
    public sealed record Table(params (int Field, Node Value)[] Fields) : Node;

    public sealed record Scalar(byte[] Bytes) : Node;

    public sealed record Str(string Text) : Node;

    public sealed record Bytes(byte[] Data) : Node;

    public sealed record Tables(params Table[] Items) : Node;

    public sealed record Ints(params int[] Items) : Node;

    public static Scalar U8(byte v) => new(new[] { v });

    public static Scalar I32(int v) { byte[] b = new byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); return new(b); }

    public static Scalar U32(uint v) { byte[] b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); return new(b); }

    public static Scalar U64(ulong v) { byte[] b = new byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); return new(b); }

    /// <summary>The whole buffer with <paramref name="root"/> as its root table.</summary>
    public static byte[] Build(Table root, string? identifier = null)
    {
        var w = new FlatBufferWriter();
        w._bytes.AddRange(new byte[identifier is null ? 4 : 8]);
        if (identifier is not null)
        {
            for (int i = 0; i < 4; i++)
            {
                w._bytes[4 + i] = (byte)identifier[i];
            }
        }

        int pos = w.Write(root);
        w.Patch(0, pos);
        return w._bytes.ToArray();
    }

    private void Align(int n)
    {
        while (_bytes.Count % n != 0)
        {
            _bytes.Add(0);
        }
    }

    private void Patch(int at, int target)
    {
        uint offset = (uint)(target - at);
        for (int i = 0; i < 4; i++)
        {
            _bytes[at + i] = (byte)(offset >> (8 * i));
        }
    }

    private int Write(Node node)
    {
        switch (node)
        {
            case Table t:
                return WriteTable(t);
            case Str s:
                return WriteVector(Encoding.UTF8.GetBytes(s.Text), terminate: true);
            case Bytes b:
                return WriteVector(b.Data, terminate: false);
            case Ints ints:
                byte[] raw = new byte[ints.Items.Length * 4];
                for (int i = 0; i < ints.Items.Length; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(i * 4), ints.Items[i]);
                }

                Align(4);
                int start = _bytes.Count;
                _bytes.AddRange(BitConverter.GetBytes(ints.Items.Length));
                _bytes.AddRange(raw);
                return start;
            case Tables tables:
                Align(4);
                int vector = _bytes.Count;
                _bytes.AddRange(BitConverter.GetBytes(tables.Items.Length));
                _bytes.AddRange(new byte[4 * tables.Items.Length]);
                for (int i = 0; i < tables.Items.Length; i++)
                {
                    Patch(vector + 4 + (4 * i), Write(tables.Items[i]));
                }

                return vector;
            default:
                throw new ArgumentException("scalars are written inside tables");
        }
    }

    private int WriteVector(byte[] data, bool terminate)
    {
        Align(4);
        int start = _bytes.Count;
        _bytes.AddRange(BitConverter.GetBytes(data.Length));
        _bytes.AddRange(data);
        if (terminate)
        {
            _bytes.Add(0);
        }

        return start;
    }

    private int WriteTable(Table t)
    {
        int maxField = t.Fields.Length == 0 ? -1 : t.Fields.Max(f => f.Field);
        int vtableSize = 4 + (2 * (maxField + 1));

        // Lay the table out: soffset, then each field 8-aligned relative to the table start.
        var layout = new List<(int Field, Node Value, int Offset)>();
        int size = 4;
        foreach ((int field, Node value) in t.Fields)
        {
            int width = value is Scalar s ? s.Bytes.Length : 4;
            size = (size + width - 1) / width * width;
            layout.Add((field, value, size));
            size += width;
        }

        Align(2);
        int vtable = _bytes.Count;
        _bytes.AddRange(BitConverter.GetBytes((ushort)vtableSize));
        _bytes.AddRange(BitConverter.GetBytes((ushort)size));
        ushort[] slots = new ushort[maxField + 1];
        foreach ((int field, _, int offset) in layout)
        {
            slots[field] = (ushort)offset;
        }

        foreach (ushort slot in slots)
        {
            _bytes.AddRange(BitConverter.GetBytes(slot));
        }

        Align(8);
        int table = _bytes.Count;
        _bytes.AddRange(new byte[size]);
        BinaryPrimitives.WriteInt32LittleEndian(CollectionsMarshalSpan(table, 4), table - vtable);
        foreach ((_, Node value, int offset) in layout)
        {
            if (value is Scalar s)
            {
                for (int i = 0; i < s.Bytes.Length; i++)
                {
                    _bytes[table + offset + i] = s.Bytes[i];
                }
            }
        }

        foreach ((_, Node value, int offset) in layout)
        {
            if (value is not Scalar)
            {
                Patch(table + offset, Write(value));
            }
        }

        return table;
    }

    private Span<byte> CollectionsMarshalSpan(int start, int length) =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_bytes).Slice(start, length);
}
