using System.Buffers.Binary;
using System.IO.Compression;

namespace ModelAudit.Bench;

/// <summary>Writes the benchmark inputs once into the bench folder (they are large; they are reused between runs).</summary>
internal static class BenchFiles
{
    /// <summary>pickle.dumps(list(range(5_000_000)), protocol=4), framed the way CPython frames it.</summary>
    public static string OpcodeDensePickle(string dir)
    {
        string path = Path.Combine(dir, "dense-5m-ints.pkl");
        if (File.Exists(path))
        {
            return path;
        }

        using var file = File.Create(path);
        var frame = new MemoryStream();
        void Flush()
        {
            if (frame.Length == 0)
            {
                return;
            }

            Span<byte> header = stackalloc byte[9];
            header[0] = 0x95;
            BinaryPrimitives.WriteInt64LittleEndian(header[1..], frame.Length);
            file.Write(header);
            frame.WriteTo(file);
            frame.SetLength(0);
        }

        file.Write(new byte[] { 0x80, 4 });
        frame.Write(new byte[] { (byte)']', 0x94 });
        byte[] value = new byte[4];
        for (int start = 0; start < 5_000_000; start += 1000)
        {
            frame.WriteByte((byte)'(');
            for (int i = start; i < start + 1000; i++)
            {
                if (i < 256)
                {
                    frame.Write(new byte[] { (byte)'K', (byte)i });
                }
                else if (i < 65536)
                {
                    frame.Write(new byte[] { (byte)'M', (byte)i, (byte)(i >> 8) });
                }
                else
                {
                    frame.WriteByte((byte)'J');
                    BinaryPrimitives.WriteInt32LittleEndian(value, i);
                    frame.Write(value);
                }
            }

            frame.WriteByte((byte)'e');
            if (frame.Length >= 64 * 1024)
            {
                Flush();
            }
        }

        frame.WriteByte((byte)'.');
        Flush();
        return path;
    }

    /// <summary>A pickle whose only argument is one 1 GiB BINBYTES8.</summary>
    public static string HugeBytesPickle(string dir)
    {
        string path = Path.Combine(dir, "binbytes8-1gib.pkl");
        if (File.Exists(path))
        {
            return path;
        }

        using var file = File.Create(path);
        long size = 1L << 30;
        file.Write(new byte[] { 0x80, 4, 0x8E });
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(len, size);
        file.Write(len);
        WriteFill(file, size);
        file.Write(new byte[] { 0x85, (byte)'.' });
        return path;
    }

    /// <summary>A PyTorch-layout zip: a small data.pkl and one stored 2 GiB storage blob.</summary>
    public static string HugeTorchZip(string dir)
    {
        string path = Path.Combine(dir, "torch-2gib.pt");
        if (File.Exists(path))
        {
            return path;
        }

        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        using (Stream s = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open())
        {
            // {'w': 1} — the pickle is not what this input measures; the 1 GiB blob beside it is.
            s.Write(Convert.FromHexString("80027d71005801000000777101" + "4b01732e"));
        }

        using (Stream s = zip.CreateEntry("archive/data/0", CompressionLevel.NoCompression).Open())
        {
            WriteFill(s, 2L << 30);
        }

        using (Stream s = zip.CreateEntry("archive/version", CompressionLevel.NoCompression).Open())
        {
            s.Write("3\n"u8);
        }

        return path;
    }

    /// <summary>
    /// A zip bomb the scan must read through: data.pkl is deflated zeros behind a pickle head whose BINBYTES8 claims
    /// 100 GB, so a scanner that follows the pickle inflates until its budget stops it.
    /// </summary>
    public static string ZipBomb(string dir)
    {
        string path = Path.Combine(dir, "zip-bomb-100gb.zip");
        if (File.Exists(path))
        {
            return path;
        }

        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        using Stream s = zip.CreateEntry("archive/data.pkl", CompressionLevel.SmallestSize).Open();
        s.Write(new byte[] { 0x80, 4, 0x8E });
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(len, 100_000_000_000L);
        s.Write(len);
        byte[] zeros = new byte[1 << 20];
        for (int i = 0; i < 2048; i++)
        {
            s.Write(zeros);
        }

        return path;
    }

    /// <summary>A zip with 10,000 small members.</summary>
    public static string ManyEntriesZip(string dir)
    {
        string path = Path.Combine(dir, "zip-10k-entries.zip");
        if (File.Exists(path))
        {
            return path;
        }

        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        for (int i = 0; i < 10_000; i++)
        {
            using Stream s = zip.CreateEntry($"shard/{i:D5}.json", CompressionLevel.Fastest).Open();
            s.Write(System.Text.Encoding.UTF8.GetBytes($"{{\"index\": {i}, \"name\": \"tensor_{i}\"}}"));
        }

        return path;
    }

    private static void WriteFill(Stream stream, long size)
    {
        byte[] chunk = new byte[1 << 20];
        new Random(7).NextBytes(chunk);
        for (long written = 0; written < size; written += chunk.Length)
        {
            stream.Write(chunk, 0, (int)Math.Min(chunk.Length, size - written));
        }
    }

    // A llama-7B-like layout: 320 F16 tensors of 4096 x 4096 (32 MiB each) make 10 GiB of tensor data; 32 make 1 GiB.
    private const int SparseTensors = 320;
    private const int SmallGgufTensors = 32;
    private const long SparseTensorBytes = 4096L * 4096 * 2;

    /// <summary>A 10 GiB GGUF v3 file: a real-sized header (32,000-token vocabulary, chat template, 320 tensor
    /// descriptions) and tensor data that is a hole in a sparse file, so it takes no disk space.</summary>
    public static string SparseGguf(string dir) => SparseGguf(dir, SparseTensors, "sparse-10g.gguf");

    /// <summary>The same layout with 32 tensors: 1 GiB.</summary>
    public static string SmallSparseGguf(string dir) => SparseGguf(dir, SmallGgufTensors, "sparse-1g.gguf");

    private static string SparseGguf(string dir, int tensors, string name)
    {
        string path = Path.Combine(dir, name);
        if (File.Exists(path))
        {
            return path;
        }

        var h = new BinaryWriter(new MemoryStream());
        void Str(string text)
        {
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
            h.Write((ulong)bytes.Length);
            h.Write(bytes);
        }

        h.Write("GGUF"u8.ToArray());
        h.Write(3u);
        h.Write((ulong)tensors);
        h.Write(5UL);
        Str("general.architecture");
        h.Write(8u);
        Str("llama");
        Str("general.name");
        h.Write(8u);
        Str("Sparse Bench");
        Str("tokenizer.chat_template");
        h.Write(8u);
        Str("{% for message in messages %}<|{{ message['role'] }}|>{{ message['content'] }}{% endfor %}");
        Str("tokenizer.ggml.tokens");
        h.Write(9u);
        h.Write(8u);
        h.Write(32000UL);
        for (int i = 0; i < 32000; i++)
        {
            Str("tok" + i);
        }

        Str("tokenizer.ggml.scores");
        h.Write(9u);
        h.Write(6u);
        h.Write(32000UL);
        h.Write(new byte[32000 * 4]);
        for (int i = 0; i < tensors; i++)
        {
            Str($"blk.{i / 8}.w{i % 8}.weight");
            h.Write(2u);
            h.Write(4096UL);
            h.Write(4096UL);
            h.Write(1u); // F16
            h.Write((ulong)(i * SparseTensorBytes));
        }

        while (h.BaseStream.Length % 32 != 0)
        {
            h.Write((byte)0);
        }

        return WriteSparse(path, ((MemoryStream)h.BaseStream).ToArray(), tensors * SparseTensorBytes);
    }

    /// <summary>A 10 GiB SafeTensors file with the same 320 tensors, its data a hole in a sparse file.</summary>
    public static string SparseSafeTensors(string dir)
    {
        string path = Path.Combine(dir, "sparse-10g.safetensors");
        if (File.Exists(path))
        {
            return path;
        }

        var json = new System.Text.StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        for (int i = 0; i < SparseTensors; i++)
        {
            json.Append($",\"blk.{i / 8}.w{i % 8}.weight\":{{\"dtype\":\"F16\",\"shape\":[4096,4096],\"data_offsets\":[{i * SparseTensorBytes},{(i + 1) * SparseTensorBytes}]}}");
        }

        json.Append('}');
        byte[] text = System.Text.Encoding.UTF8.GetBytes(json.ToString());
        byte[] header = new byte[8 + text.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)text.Length);
        text.CopyTo(header, 8);
        return WriteSparse(path, header, SparseTensors * SparseTensorBytes);
    }

    private static string WriteSparse(string path, byte[] header, long dataBytes)
    {
        using var file = File.Create(path);
        file.Write(header);
        file.SetLength(header.Length + dataBytes); // the rest is a hole: no disk space, reads as zeros
        return path;
    }
}
