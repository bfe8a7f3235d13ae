using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// Writes GGUF files byte by byte as the specification (ggml docs/gguf.md) and gguf-py's GGUFWriter lay them out:
/// magic, version, counts, key-value pairs, tensor descriptions, padding to the alignment, then each tensor's data
/// padded to the alignment. Parts can be overridden to make malformed variants.
/// </summary>
internal sealed class GgufBuilder
{
    private readonly List<byte[]> _pairs = new();
    private readonly List<(string Name, ulong[] Shape, uint Type, ulong? Offset, long Bytes)> _tensors = new();
    private readonly Dictionary<int, byte[]> _data = new();

    public uint Version { get; init; } = 3;

    public bool BigEndian { get; init; }

    public uint Alignment { get; init; } = 32;

    public ulong? TensorCountOverride { get; set; }

    public ulong? KeyCountOverride { get; set; }

    public int KeyCount => _pairs.Count;

    /// <summary>Raw bytes appended after the padded tensor data.</summary>
    public byte[] Trailing { get; set; } = Array.Empty<byte>();

    /// <summary>Pads after the last tensor, as gguf-py does.</summary>
    public bool PadLastTensor { get; init; } = true;

    public GgufBuilder String(string key, string value) => Pair(key, 8, w => w.Str(value));

    public GgufBuilder U32(string key, uint value) => Pair(key, 4, w => w.U32(value));

    public GgufBuilder F32(string key, float value) => Pair(key, 6, w => w.U32(BitConverter.SingleToUInt32Bits(value)));

    public GgufBuilder Bool(string key, bool value) => Pair(key, 7, w => w.Bytes(new[] { (byte)(value ? 1 : 0) }));

    public GgufBuilder U64(string key, ulong value) => Pair(key, 10, w => w.U64(value));

    public GgufBuilder Strings(string key, params string[] values) => Pair(key, 9, w =>
    {
        w.U32(8);
        w.Len((ulong)values.Length);
        foreach (string v in values)
        {
            w.Str(v);
        }
    });

    public GgufBuilder Floats(string key, params float[] values) => Pair(key, 9, w =>
    {
        w.U32(6);
        w.Len((ulong)values.Length);
        foreach (float v in values)
        {
            w.U32(BitConverter.SingleToUInt32Bits(v));
        }
    });

    public GgufBuilder Ints(string key, params int[] values) => Pair(key, 9, w =>
    {
        w.U32(5);
        w.Len((ulong)values.Length);
        foreach (int v in values)
        {
            w.U32(unchecked((uint)v));
        }
    });

    /// <summary>A key whose value is written by <paramref name="value"/> after the given type id.</summary>
    public GgufBuilder Pair(string key, uint type, Action<Writer> value)
    {
        var w = new Writer(Version, BigEndian);
        w.Str(key);
        w.U32(type);
        value(w);
        _pairs.Add(w.ToArray());
        return this;
    }

    /// <summary>A tensor of a ggml type whose byte size the test states (so a wrong size can be written on purpose).</summary>
    public GgufBuilder Tensor(string name, uint type, long bytes, ulong? offset = null, params ulong[] shape)
    {
        _tensors.Add((name, shape, type, offset, bytes));
        return this;
    }

    /// <summary>A tensor whose bytes the test gives (weight analysis reads them).</summary>
    public GgufBuilder TensorData(string name, uint type, byte[] data, params ulong[] shape)
    {
        _data[_tensors.Count] = data;
        return Tensor(name, type, data.Length, null, shape);
    }

    public GgufBuilder F32Tensor(string name, params ulong[] shape) => Tensor(name, 0, 4 * (long)shape.Aggregate(1UL, (a, b) => a * b), null, shape);

    public byte[] Build()
    {
        var w = new Writer(Version, BigEndian);
        w.Bytes("GGUF"u8.ToArray());
        w.U32(Version);
        w.Len(TensorCountOverride ?? (ulong)_tensors.Count);
        w.Len(KeyCountOverride ?? (ulong)_pairs.Count);
        foreach (byte[] pair in _pairs)
        {
            w.Bytes(pair);
        }

        ulong running = 0;
        foreach (var t in _tensors)
        {
            w.Str(t.Name);
            w.U32((uint)t.Shape.Length);
            foreach (ulong d in t.Shape)
            {
                w.Len(d);
            }

            w.U32(t.Type);
            w.U64(t.Offset ?? running);
            running += Pad((ulong)t.Bytes);
        }

        w.PadTo(Alignment);
        for (int i = 0; i < _tensors.Count; i++)
        {
            if (!_data.TryGetValue(i, out byte[]? data))
            {
                // A pattern whose every byte is below 0x40 keeps the sign-and-exponent byte of any float (F32, F16, BF16
                // and the F16 scales of quantised blocks) small: finite values, as a real model's are.
                data = new byte[_tensors[i].Bytes];
                for (int j = 0; j < data.Length; j++)
                {
                    data[j] = (byte)((j * 7 + i) & 0x3F);
                }
            }

            w.Bytes(data);
            if (PadLastTensor || i < _tensors.Count - 1)
            {
                w.PadTo(Alignment);
            }
        }

        w.Bytes(Trailing);
        return w.ToArray();
    }

    private ulong Pad(ulong n) => (n + Alignment - 1) / Alignment * Alignment;

    /// <summary>A typical small llama model as convert_hf_to_gguf.py writes it.</summary>
    public static GgufBuilder TinyLlama(uint version = 3, bool bigEndian = false)
    {
        var b = new GgufBuilder { Version = version, BigEndian = bigEndian };
        b.String("general.architecture", "llama").String("general.name", "Tiny Llama").String("general.license", "apache-2.0")
            .Strings("general.tags", "text-generation", "llama")
            .U32("llama.context_length", 2048).U32("llama.embedding_length", 64).U32("llama.block_count", 1)
            .F32("llama.rope.freq_base", 10000f).U32("general.file_type", 7)
            .String("tokenizer.ggml.model", "llama")
            .Strings("tokenizer.ggml.tokens", "<unk>", "<s>", "</s>", "▁hello", "▁world")
            .Floats("tokenizer.ggml.scores", 0f, 0f, 0f, -1f, -2f)
            .Ints("tokenizer.ggml.token_type", 2, 3, 3, 1, 1)
            .Bool("tokenizer.ggml.add_bos_token", true)
            .String("tokenizer.chat_template", "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}</s>\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}");
        if (version >= 2)
        {
            b.U64("general.parameter_count", 4160);
        }

        b.F32Tensor("token_embd.weight", 64, 5);
        b.Tensor("blk.0.attn_q.weight", 8, 2 * 34 * 64, null, 64, 64); // Q8_0: 34 bytes per 32 elements
        b.Tensor("blk.0.ffn_down.weight", 12, 144 * 64, null, 256, 64); // Q4_K: 144 bytes per 256 elements
        b.F32Tensor("output_norm.weight", 64);
        return b;
    }

    internal sealed class Writer
    {
        private readonly MemoryStream _buffer = new();
        private readonly uint _version;
        private readonly bool _bigEndian;

        public Writer(uint version, bool bigEndian)
        {
            _version = version;
            _bigEndian = bigEndian;
        }

        public void Bytes(byte[] bytes) => _buffer.Write(bytes);

        public void U32(uint v)
        {
            byte[] b = new byte[4];
            if (_bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            Bytes(b);
        }

        public void U64(ulong v)
        {
            byte[] b = new byte[8];
            if (_bigEndian) BinaryPrimitives.WriteUInt64BigEndian(b, v); else BinaryPrimitives.WriteUInt64LittleEndian(b, v);
            Bytes(b);
        }

        /// <summary>A count, length or dimension: uint32 in GGUF v1, uint64 from v2.</summary>
        public void Len(ulong v)
        {
            if (_version == 1) U32((uint)v); else U64(v);
        }

        public void Str(string s)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(s);
            Len((ulong)bytes.Length);
            Bytes(bytes);
        }

        public void PadTo(uint alignment)
        {
            while (_buffer.Length % alignment != 0)
            {
                _buffer.WriteByte(0);
            }
        }

        public byte[] ToArray() => _buffer.ToArray();
    }
}
