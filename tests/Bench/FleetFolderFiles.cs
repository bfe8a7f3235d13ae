using System.Text;

namespace ModelAudit.Bench;

/// <summary>
/// A model store of 20,000 small files: 2,000 Hugging Face-style model folders of ten files each — config,
/// generation config, special tokens, tokenizer config with a chat template, a small BPE tokenizer.json, a model card,
/// two SafeTensors shards with their index, and one file written by a real library (pickles, joblib, PyTorch,
/// NumPy, GGUF: the committed benign fixtures, in turn). Folder i's files carry i, so no two files are the same.
/// </summary>
internal static class FleetFolderFiles
{
    public const int Models = 2_000;
    public const int FilesPerModel = 10;

    // A small tokenizer (a few hundred tokens): a fleet's small models, not a 32,000-token LLM vocabulary.
    private const int Tokens = 400;

    public static string Folder(string dir, string fixtures)
    {
        string root = Path.Combine(dir, "fleet-20k");
        string done = Path.Combine(dir, "fleet-20k.done");
        if (File.Exists(done))
        {
            return root;
        }

        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        string hf = Path.Combine(fixtures, "hf_repo");
        string[] library = Directory.GetFiles(Path.Combine(fixtures, "benign"))
            .Where(f => !f.EndsWith(".png", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();
        string config = File.ReadAllText(Path.Combine(hf, "config.json"));
        string generation = File.ReadAllText(Path.Combine(hf, "generation_config.json"));
        string special = File.ReadAllText(Path.Combine(hf, "special_tokens_map.json"));
        string tokenizerConfig = File.ReadAllText(Path.Combine(hf, "tokenizer_config.json"));
        string readme = File.ReadAllText(Path.Combine(hf, "README.md"));
        for (int i = 0; i < Models; i++)
        {
            string model = Path.Combine(root, $"org{i / 100:D2}", $"model-{i:D4}");
            Directory.CreateDirectory(model);
            File.WriteAllText(Path.Combine(model, "config.json"), config.Replace("tiny-chat", $"tiny-chat-{i}", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(model, "generation_config.json"), generation);
            File.WriteAllText(Path.Combine(model, "special_tokens_map.json"), special);
            File.WriteAllText(Path.Combine(model, "tokenizer_config.json"), tokenizerConfig.Replace("2048", (2048 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(model, "tokenizer.json"), Tokenizer(i));
            File.WriteAllText(Path.Combine(model, "README.md"), readme + $"\nRevision {i}.\n");
            WriteShard(Path.Combine(model, "model-00001-of-00002.safetensors"), "model.embed_tokens.weight", i);
            WriteShard(Path.Combine(model, "model-00002-of-00002.safetensors"), "lm_head.weight", i + 1);
            File.WriteAllText(Path.Combine(model, "model.safetensors.index.json"),
                "{\"metadata\":{\"total_size\":32768},\"weight_map\":{\"model.embed_tokens.weight\":\"model-00001-of-00002.safetensors\",\"lm_head.weight\":\"model-00002-of-00002.safetensors\"}}");
            string sample = library[i % library.Length];
            File.Copy(sample, Path.Combine(model, Path.GetFileName(sample)));
        }

        File.WriteAllText(done, "");
        return root;
    }

    private static string Tokenizer(int seed)
    {
        var json = new StringBuilder("{\"version\":\"1.0\",\"added_tokens\":[{\"id\":0,\"content\":\"<unk>\",\"special\":true}],");
        json.Append("\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"ByteLevel\"},\"model\":{\"type\":\"BPE\",\"vocab\":{");
        for (int t = 0; t < Tokens; t++)
        {
            json.Append(t == 0 ? "" : ",").Append($"\"tok{t}_{seed % 7}\":{t}");
        }

        json.Append("},\"merges\":[");
        for (int t = 1; t < Tokens / 2; t++)
        {
            json.Append(t == 1 ? "" : ",").Append($"\"tok{t} tok{t + 1}\"");
        }

        return json.Append("]}}").ToString();
    }

    // One F32 [64, 64] tensor (16 KiB) of small non-zero values.
    private static void WriteShard(string path, string tensor, int seed)
    {
        string header = $"{{\"__metadata__\":{{\"format\":\"pt\"}},\"{tensor}\":{{\"dtype\":\"F32\",\"shape\":[64,64],\"data_offsets\":[0,16384]}}}}";
        while ((8 + header.Length) % 8 != 0)
        {
            header += " ";
        }

        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)header.Length));
        file.Write(Encoding.UTF8.GetBytes(header));
        var random = new Random(seed);
        byte[] data = new byte[16384];
        for (int i = 0; i < data.Length; i += 4)
        {
            BitConverter.TryWriteBytes(data.AsSpan(i), (float)((random.NextDouble() - 0.5) * 0.04));
        }

        file.Write(data);
    }
}
