using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// TensorFlow tensor bundles as BundleWriter writes them: the index is a table (tensorflow/core/lib/io table_builder)
/// of uncompressed blocks with prefix-compressed keys and a restart point every 16 keys, each block followed by its
/// type byte and masked CRC32C; then an empty metaindex block, the index block (one handle per data block) and the
/// 48-byte footer ending in the table magic. The empty key holds BundleHeaderProto, every tensor a BundleEntryProto.
/// </summary>
internal static class CheckpointBuilder
{
    private const int RestartInterval = 16;

    // Data blocks are cut at about 4 KiB, TensorFlow's table::Options::block_size.
    private const int BlockSize = 4096;

    public sealed record Tensor(string Name, int DType, long[] Shape, long Offset, long Size, int Shard = 0);

    public static ProtoBuilder Header(int shards, int endianness = 0) =>
        new ProtoBuilder().Varint(1, shards).Varint(2, endianness).Message(3, v => v.Varint(1, 1));

    public static ProtoBuilder Entry(Tensor t)
    {
        var entry = new ProtoBuilder().Varint(1, t.DType).Message(2, s =>
        {
            foreach (long d in t.Shape)
            {
                s.Message(2, dim => dim.Varint(1, d));
            }
        });
        if (t.Shard != 0)
        {
            entry.Varint(3, t.Shard);
        }

        if (t.Offset != 0)
        {
            entry.Varint(4, t.Offset);
        }

        return entry.Varint(5, t.Size).Fixed32(6, 0x1234_5678);
    }

    /// <summary>An index holding <paramref name="header"/> and <paramref name="tensors"/> (sorted by name, as written).</summary>
    public static byte[] Index(ProtoBuilder header, params Tensor[] tensors)
    {
        var pairs = new List<(byte[], byte[])> { (Array.Empty<byte>(), header.ToArray()) };
        pairs.AddRange(tensors.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (Encoding.UTF8.GetBytes(t.Name), Entry(t).ToArray())));
        return Table(pairs);
    }

    /// <summary>The benign variables of a small Keras model saved by tf.saved_model.save: the object graph and one kernel.</summary>
    public static (byte[] Index, byte[] Data) BenignVariables()
    {
        byte[] data = new byte[32 + 24];
        byte[] index = Index(Header(1),
            new Tensor("_CHECKPOINTABLE_OBJECT_GRAPH", 7, Array.Empty<long>(), 32, 24),
            new Tensor("layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE", 1, new long[] { 4, 2 }, 0, 32));
        return (index, data);
    }

    public static byte[] Table(IReadOnlyList<(byte[] Key, byte[] Value)> pairs)
    {
        var file = new MemoryStream();
        var index = new List<(byte[], byte[])>();
        int at = 0;
        while (at < pairs.Count)
        {
            var block = new List<(byte[], byte[])>();
            int bytes = 0;
            while (at < pairs.Count && (block.Count == 0 || bytes < BlockSize))
            {
                block.Add(pairs[at]);
                bytes += pairs[at].Key.Length + pairs[at].Value.Length;
                at++;
            }

            long offset = file.Length;
            long size = WriteBlock(file, block);
            index.Add((block[^1].Item1, Handle(offset, size)));
        }

        long metaOffset = file.Length;
        long metaSize = WriteBlock(file, Array.Empty<(byte[], byte[])>());
        long indexOffset = file.Length;
        long indexSize = WriteBlock(file, index);
        byte[] footer = new byte[48];
        byte[] handles = Handle(metaOffset, metaSize).Concat(Handle(indexOffset, indexSize)).ToArray();
        handles.CopyTo(footer, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(footer.AsSpan(40), 0xdb4775248b80fb57UL);
        file.Write(footer);
        return file.ToArray();
    }

    private static long WriteBlock(MemoryStream file, IReadOnlyList<(byte[] Key, byte[] Value)> entries)
    {
        var block = new MemoryStream();
        var restarts = new List<int>();
        byte[] previous = Array.Empty<byte>();
        for (int i = 0; i < entries.Count; i++)
        {
            (byte[] key, byte[] value) = entries[i];
            int shared = 0;
            if (i % RestartInterval == 0)
            {
                restarts.Add((int)block.Length);
            }
            else
            {
                while (shared < previous.Length && shared < key.Length && previous[shared] == key[shared])
                {
                    shared++;
                }
            }

            WriteVarint(block, (ulong)shared);
            WriteVarint(block, (ulong)(key.Length - shared));
            WriteVarint(block, (ulong)value.Length);
            block.Write(key, shared, key.Length - shared);
            block.Write(value);
            previous = key;
        }

        if (restarts.Count == 0)
        {
            restarts.Add(0);
        }

        Span<byte> word = stackalloc byte[4];
        foreach (int r in restarts)
        {
            BinaryPrimitives.WriteInt32LittleEndian(word, r);
            block.Write(word);
        }

        BinaryPrimitives.WriteInt32LittleEndian(word, restarts.Count);
        block.Write(word);
        byte[] contents = block.ToArray();
        file.Write(contents);
        file.WriteByte(0);
        uint crc = Crc32C(contents.Append((byte)0).ToArray());
        BinaryPrimitives.WriteUInt32LittleEndian(word, ((crc >> 15) | (crc << 17)) + 0xa282ead8u);
        file.Write(word);
        return contents.Length;
    }

    private static byte[] Handle(long offset, long size)
    {
        var s = new MemoryStream();
        WriteVarint(s, (ulong)offset);
        WriteVarint(s, (ulong)size);
        return s.ToArray();
    }

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }

        s.WriteByte((byte)v);
    }

    private static uint Crc32C(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
