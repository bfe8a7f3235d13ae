namespace ModelAudit.Engine.Tests;

/// <summary>Synthetic weight matrices ([neurons, inputs], row-major) drawn the way frameworks initialise them, and
/// the files that carry them: SafeTensors, NumPy, GGUF (F32, F16, BF16, Q8_0, Q4_0) and ONNX, hand-encoded from
/// their specifications.</summary>
internal static class WeightLayers
{
    public static float[] Normal(int neurons, int inputs, double sd, ulong seed)
    {
        var random = new WeightRandom(seed);
        return Enumerable.Range(0, neurons * inputs).Select(_ => (float)random.Normal(0, sd)).ToArray();
    }

    /// <summary>Glorot/Xavier uniform: U(−a, a) with a = √(6 / (fan_in + fan_out)).</summary>
    public static float[] Xavier(int neurons, int inputs, ulong seed)
    {
        var random = new WeightRandom(seed);
        double a = Math.Sqrt(6.0 / (neurons + inputs));
        return Enumerable.Range(0, neurons * inputs).Select(_ => (float)random.Uniform(-a, a)).ToArray();
    }

    /// <summary>He/Kaiming normal: N(0, 2 / fan_in).</summary>
    public static float[] Kaiming(int neurons, int inputs, ulong seed) => Normal(neurons, inputs, Math.Sqrt(2.0 / inputs), seed);

    /// <summary>Neurons that share a direction (as trained output layers do: every class reads the same features),
    /// each a common base vector plus its own noise.</summary>
    public static float[] Correlated(int neurons, int inputs, ulong seed)
    {
        var random = new WeightRandom(seed);
        double[] shared = Enumerable.Range(0, inputs).Select(_ => random.Normal(0, 1)).ToArray();
        var values = new float[neurons * inputs];
        for (int n = 0; n < neurons; n++)
        {
            for (int i = 0; i < inputs; i++)
            {
                values[(n * inputs) + i] = (float)(0.05 * (shared[i] + (0.6 * random.Normal(0, 1))));
            }
        }

        return values;
    }

    /// <summary>Multiplies every weight of one neuron: the planted abnormal neuron.</summary>
    public static float[] Scale(float[] values, int inputs, int neuron, float factor)
    {
        float[] copy = (float[])values.Clone();
        for (int i = 0; i < inputs; i++)
        {
            copy[(neuron * inputs) + i] *= factor;
        }

        return copy;
    }

    public static byte[] F32(float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public static byte[] F16(float[] values) => values.SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray();

    public static byte[] BF16(float[] values) =>
        values.SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(v) >> 16))).ToArray();

    public static byte[] F64(float[] values) => values.SelectMany(v => BitConverter.GetBytes((double)v)).ToArray();

    /// <summary>ggml quantize_row_q8_0: per block of 32, d = max|x| / 127, q = round(x / d).</summary>
    public static byte[] Q8_0(float[] values)
    {
        var output = new List<byte>();
        for (int b = 0; b < values.Length; b += 32)
        {
            float max = 0;
            for (int j = 0; j < 32; j++)
            {
                max = Math.Max(max, Math.Abs(values[b + j]));
            }

            float d = max / 127;
            output.AddRange(BitConverter.GetBytes((Half)d));
            for (int j = 0; j < 32; j++)
            {
                output.Add((byte)(sbyte)(d == 0 ? 0 : Math.Round(values[b + j] / d)));
            }
        }

        return output.ToArray();
    }

    /// <summary>ggml quantize_row_q4_0: per block of 32, d = max / −8 (the signed value of largest magnitude), q =
    /// x / d + 8.5 truncated and clamped to 15; element j in the low nibble of byte j, element j + 16 in its high.</summary>
    public static byte[] Q4_0(float[] values)
    {
        var output = new List<byte>();
        for (int b = 0; b < values.Length; b += 32)
        {
            float amax = 0, max = 0;
            for (int j = 0; j < 32; j++)
            {
                if (Math.Abs(values[b + j]) > amax)
                {
                    amax = Math.Abs(values[b + j]);
                    max = values[b + j];
                }
            }

            float d = max / -8;
            float id = d == 0 ? 0 : 1 / d;
            output.AddRange(BitConverter.GetBytes((Half)d));
            for (int j = 0; j < 16; j++)
            {
                int low = Math.Min(15, (int)((values[b + j] * id) + 8.5f));
                int high = Math.Min(15, (int)((values[b + j + 16] * id) + 8.5f));
                output.Add((byte)(low | (high << 4)));
            }
        }

        return output.ToArray();
    }

    /// <summary>A SafeTensors file of the given tensors, laid end to end.</summary>
    public static byte[] SafeTensors(params (string Name, string DType, long[] Shape, byte[] Data)[] tensors)
    {
        var header = new System.Text.StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        foreach (var t in tensors)
        {
            header.Append($",\"{t.Name}\":{{\"dtype\":\"{t.DType}\",\"shape\":[{string.Join(",", t.Shape)}],\"data_offsets\":[{offset},{offset + t.Data.Length}]}}");
            offset += t.Data.Length;
        }

        header.Append('}');
        while ((8 + header.Length) % 8 != 0)
        {
            header.Append(' ');
        }

        byte[] json = System.Text.Encoding.UTF8.GetBytes(header.ToString());
        var file = new MemoryStream();
        file.Write(BitConverter.GetBytes((ulong)json.Length));
        file.Write(json);
        foreach (var t in tensors)
        {
            file.Write(t.Data);
        }

        return file.ToArray();
    }

    /// <summary>A .npy (version 1.0) file as numpy.save writes it.</summary>
    public static byte[] Npy(string descr, long[] shape, byte[] data, bool fortranOrder = false)
    {
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': ({dims}), }}";
        int total = 10 + dict.Length + 1;
        dict += new string(' ', ((total + 63) / 64 * 64) - total) + "\n";
        var file = new MemoryStream();
        file.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        file.Write(BitConverter.GetBytes((ushort)dict.Length));
        file.Write(System.Text.Encoding.Latin1.GetBytes(dict));
        file.Write(data);
        return file.ToArray();
    }
}
