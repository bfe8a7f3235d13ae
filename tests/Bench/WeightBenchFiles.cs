using System.Text;

namespace ModelAudit.Bench;

/// <summary>
/// A 2 GiB SafeTensors checkpoint with real (non-zero, normally distributed) F16 weights, so weight analysis decodes
/// and judges every value: 64 layers of 4096 × 4096, the last named lm_head.weight (an output layer: neuron norms,
/// cosine sample and extreme weights all run on it). Written once; its figures are weight analysis as a ratio to
/// hashing the same bytes.
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
        byte[] tensor = new byte[tensorBytes];
        ulong state = 0x2545F4914F6CDD1DUL;
        for (int layer = 0; layer < Layers; layer++)
        {
            for (int i = 0; i < tensor.Length; i += 2)
            {
                // xorshift64; the sum of four uniforms is close enough to normal for N(0, 0.02) weights.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                double sum = (state & 0xFFFF) + ((state >> 16) & 0xFFFF) + ((state >> 32) & 0xFFFF) + (state >> 48);
                double normal = ((sum / 65535.0) - 2) * Math.Sqrt(3);
                BitConverter.TryWriteBytes(tensor.AsSpan(i), (Half)(0.02 * normal));
            }

            file.Write(tensor);
        }

        return path;
    }
}
