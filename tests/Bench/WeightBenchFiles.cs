using System.IO.Compression;
using System.Text;

namespace ModelAudit.Bench;

/// <summary>
/// A 2 GiB SafeTensors checkpoint with real (non-zero, normally distributed) F16 weights, so weight analysis decodes
/// and judges every value: 64 layers of 4096 × 4096, the last named lm_head.weight (an output layer: neuron norms,
/// cosine sample and extreme weights all run on it). Written once; its figures are weight analysis as a ratio to
/// hashing the same bytes. The same layers also come as a PyTorch zip checkpoint (data.pkl and one stored storage per
/// tensor, as torch.save writes them), whose tensors are located from the pickle's _rebuild_tensor_v2 calls.
/// </summary>
internal static class WeightBenchFiles
{
    private const int Layers = 64;
    private const int Side = 4096;

    public static string Checkpoint(string dir)
    {
        string path = Path.Combine(dir, "weights-2g-f16.safetensors");
        if (File.Exists(path))
        {
            return path;
        }

        long tensorBytes = 2L * Side * Side;
        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        for (int i = 0; i < Layers; i++)
        {
            string name = i == Layers - 1 ? "lm_head.weight" : $"model.layers.{i}.mlp.up_proj.weight";
            header.Append($",\"{name}\":{{\"dtype\":\"F16\",\"shape\":[{Side},{Side}],\"data_offsets\":[{i * tensorBytes},{(i + 1) * tensorBytes}]}}");
        }

        header.Append('}');
        while (header.Length % 8 != 0)
        {
            header.Append(' ');
        }

        byte[] json = Encoding.UTF8.GetBytes(header.ToString());
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)json.Length));
        file.Write(json);
        var layers = new LayerWriter();
        for (int layer = 0; layer < Layers; layer++)
        {
            file.Write(layers.Next());
        }

        return path;
    }

    public static string TorchCheckpoint(string dir)
    {
        string path = Path.Combine(dir, "weights-2g-f16.pt");
        if (File.Exists(path))
        {
            return path;
        }

        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        using (Stream s = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open())
        {
            s.Write(TorchStateDict());
        }

        var layers = new LayerWriter();
        for (int layer = 0; layer < Layers; layer++)
        {
            using Stream s = zip.CreateEntry($"archive/data/{layer}", CompressionLevel.NoCompression).Open();
            s.Write(layers.Next());
        }

        using (Stream s = zip.CreateEntry("archive/version", CompressionLevel.NoCompression).Open())
        {
            s.Write("3\n"u8);
        }

        return path;
    }

    // OrderedDict(name -> torch._utils._rebuild_tensor_v2(persistent ('storage', HalfStorage, key, 'cpu', n), 0,
    // (Side, Side), (Side, 1), False, OrderedDict())), in protocol 2 opcodes as torch.save writes it.
    private static byte[] TorchStateDict()
    {
        var p = new MemoryStream();
        void Op(params byte[] bytes) => p.Write(bytes);
        void Text(string value)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(value);
            Op((byte)'X');
            p.Write(BitConverter.GetBytes(utf8.Length));
            p.Write(utf8);
        }

        void Int(int value)
        {
            Op((byte)'J');
            p.Write(BitConverter.GetBytes(value));
        }

        void Global(string module, string name) => p.Write(Encoding.ASCII.GetBytes($"c{module}\n{name}\n"));

        Op(0x80, 2);
        Global("collections", "OrderedDict");
        Op((byte)')', (byte)'R', (byte)'(');
        for (int i = 0; i < Layers; i++)
        {
            Text(i == Layers - 1 ? "lm_head.weight" : $"model.layers.{i}.mlp.up_proj.weight");
            Global("torch._utils", "_rebuild_tensor_v2");
            Op((byte)'(', (byte)'(');
            Text("storage");
            Global("torch", "HalfStorage");
            Text(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Text("cpu");
            Int(Side * Side);
            Op((byte)'t', (byte)'Q');
            Int(0);
            Int(Side);
            Int(Side);
            Op(0x86);
            Int(Side);
            Int(1);
            Op(0x86, 0x89);
            Global("collections", "OrderedDict");
            Op((byte)')', (byte)'R', (byte)'t', (byte)'R');
        }

        Op((byte)'u', (byte)'.');
        return p.ToArray();
    }

    // Layer after layer of N(0, 0.02) F16 weights, from one deterministic stream.
    private sealed class LayerWriter
    {
        private readonly byte[] _tensor = new byte[2L * Side * Side];
        private ulong _state = 0x2545F4914F6CDD1DUL;

        public byte[] Next()
        {
            for (int i = 0; i < _tensor.Length; i += 2)
            {
                // xorshift64; the sum of four uniforms is close enough to normal for N(0, 0.02) weights.
                _state ^= _state << 13;
                _state ^= _state >> 7;
                _state ^= _state << 17;
                double sum = (_state & 0xFFFF) + ((_state >> 16) & 0xFFFF) + ((_state >> 32) & 0xFFFF) + (_state >> 48);
                double normal = ((sum / 65535.0) - 2) * Math.Sqrt(3);
                BitConverter.TryWriteBytes(_tensor.AsSpan(i), (Half)(0.02 * normal));
            }

            return _tensor;
        }
    }
}
