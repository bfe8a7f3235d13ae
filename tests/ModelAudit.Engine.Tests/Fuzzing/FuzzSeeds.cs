using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>
/// The fuzzer's seed corpus: every committed fixture (their verdict from the folder they sit in) and inputs made by
/// the test builders for the formats that have no committed file, benign and malicious. A scanner with no seed is
/// caught by <see cref="FuzzTests"/>, so a new format cannot join the engine unfuzzed.
/// </summary>
internal static class FuzzSeeds
{
    // Larger fixtures (the differential corpus) would only slow every mutation down; none holds a format that no
    // smaller seed has.
    private const int MaxSeedBytes = 512 << 10;

    private static readonly string[] s_benignFolders = { "benign", "templates/benign", "templates/public", "hf_repo", "keras" };
    private static readonly string[] s_maliciousFolders = { "malicious", "templates/malicious" };

    private static readonly Lazy<IReadOnlyList<FuzzSeed>> s_all = new(() => Fixtures().Concat(Built()).ToArray());

    /// <summary>Every seed, in a fixed order (fixtures by ordinal path, then the built ones).</summary>
    public static IReadOnlyList<FuzzSeed> All => s_all.Value;

    private static IEnumerable<FuzzSeed> Fixtures()
    {
        string root = Scan.Fixture("");
        string[] files = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (string path in files)
        {
            var info = new FileInfo(path);
            if (info.Length > MaxSeedBytes)
            {
                continue;
            }

            string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            yield return new FuzzSeed(relative, info.Name, File.ReadAllBytes(path), KindOf(relative));
        }
    }

    // Generator scripts sit beside the fixtures they make; they are code, and scanned as such, but have no verdict.
    private static SeedKind KindOf(string relative)
    {
        if (Path.GetExtension(relative) is ".py" or ".ps1")
        {
            return SeedKind.Other;
        }

        string folder = Path.GetDirectoryName(relative)?.Replace('\\', '/') ?? "";
        return s_maliciousFolders.Contains(folder) ? SeedKind.Malicious
            : s_benignFolders.Contains(folder) ? SeedKind.Benign
            : SeedKind.Other;
    }

    private static IEnumerable<FuzzSeed> Built()
    {
        byte[] gadget = PickleBuilder.Gadget("os", "system", "id");
        byte[] benignPickle = new PickleBuilder().Proto(4).EmptyDict().Str("weight").Int(3).SetItem().Stop().ToArray();

        yield return Benign("zip of a pickle", "model.zip", ArchiveBuilder.Zip(("archive/data.pkl", benignPickle), ("archive/version", "3\n"u8.ToArray())));
        yield return Malicious("zip of a gadget", "model.pt", ArchiveBuilder.Zip(("archive/data.pkl", gadget), ("archive/version", "3\n"u8.ToArray())));
        yield return Benign("deflated zip", "model.zip", ArchiveBuilder.Zip(System.IO.Compression.CompressionLevel.Optimal, ("a.txt", Encoding.ASCII.GetBytes(new string('a', 500)))));
        yield return Benign("tar of a text", "model.tar", ArchiveBuilder.Tar(("README.md", "# model\n"u8.ToArray())));
        yield return Malicious("tar of a gadget", "model.tar", ArchiveBuilder.Tar(("model.pkl", gadget)));

        yield return Benign("legacy joblib z-file", "model.pkl", JoblibZfileBuilder.Zfile(benignPickle));
        yield return Malicious("legacy joblib z-file of a gadget", "model.pkl", JoblibZfileBuilder.Zfile(gadget));

        yield return Benign("safetensors", "model.safetensors", SafeTensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"__metadata__\":{\"format\":\"pt\"}}", 8));
        yield return Benign("npy", "array.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new byte[8]));
        yield return Malicious("object npy", "array.npy", Npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", gadget));

        yield return Benign("gguf", "model.gguf", GgufBuilder.TinyLlama().Build());
        yield return Benign("onnx", "model.onnx", OnnxBuilder.Benign());
        yield return Benign("saved model", "saved_model.pb", TensorFlowBuilder.BenignTf2SavedModel());
        yield return Benign("frozen graph", "frozen_graph.pb", TensorFlowBuilder.FrozenGraph());
        yield return Malicious("frozen graph with a file write", "frozen_graph.pb",
            TensorFlowBuilder.FrozenGraph(TensorFlowBuilder.Node("w", "WriteFile", "filename", "contents")));

        yield return Benign("keras archive", "model.keras", KerasBuilder.KerasArchive(KerasBuilder.Keras3Config()));
        yield return Malicious("keras lambda", "model.keras",
            KerasBuilder.KerasArchive(KerasBuilder.WithLayer(KerasBuilder.Keras3Config(), KerasBuilder.Keras3Lambda("os_system"))));
        yield return Benign("legacy h5", "model.h5", KerasBuilder.LegacyH5(KerasBuilder.Keras2Config()));
        yield return Malicious("legacy h5 lambda", "model.h5",
            KerasBuilder.LegacyH5(KerasBuilder.WithLayer(KerasBuilder.Keras2Config(), KerasBuilder.Keras2Lambda("os_system"))));

        // Protobuf whose fields fit several schemas: the ambiguous reading (Inconclusive by design).
        yield return Other("ambiguous protobuf", "blob.bin", new byte[] { 0x08, 0x01, 0x12, 0x02, 0x0A, 0x00 });
        yield return Benign("core ml", "model.mlmodel", CoreMLModel());
        yield return Benign("paddle program", "inference.pdmodel", PaddleProgram());

        yield return Other("lfs pointer", "model.bin", Encoding.ASCII.GetBytes(
            "version https://git-lfs.github.com/spec/v1\noid sha256:" + new string('a', 64) + "\nsize 1234\n"));
        yield return Malicious("elf", "model.bin", Elf());
        yield return Benign("config", "config.json", "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\",\"hidden_size\":64}"u8.ToArray());
        yield return Malicious("auto_map config", "config.json", "{\"model_type\":\"x\",\"auto_map\":{\"AutoModel\":\"modeling_x.XModel\"}}"u8.ToArray());
        yield return Benign("yaml", "MLmodel", "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"u8.ToArray());
        yield return Malicious("python", "modeling.py", "import os\nos.system('id')\n"u8.ToArray());
        yield return Other("dvc pointer", "model.pkl.dvc", "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 120\n  hash: md5\n  path: model.pkl\n"u8.ToArray());
        yield return Other("dvc pointer leaving the project", "model.pkl.dvc", "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 120\n  path: ../../etc/evil.pkl\n"u8.ToArray());
        yield return Benign("requirements", "requirements.txt", "numpy>=1.26\nsafetensors>=0.4\n"u8.ToArray());
    }

    private static FuzzSeed Benign(string what, string fileName, byte[] data) => new("built:" + what, fileName, data, SeedKind.Benign);

    private static FuzzSeed Other(string what, string fileName, byte[] data) => new("built:" + what, fileName, data, SeedKind.Other);

    private static FuzzSeed Malicious(string what, string fileName, byte[] data) => new("built:" + what, fileName, data, SeedKind.Malicious);

    private static byte[] SafeTensors(string header, int dataLength)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        byte[] data = new byte[8 + json.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(data, (ulong)json.Length);
        json.CopyTo(data, 8);
        return data;
    }

    private static byte[] Npy(string dict, byte[] payload)
    {
        // The header is padded so the data starts 64-aligned, as numpy writes it.
        string header = dict.PadRight(64 - 10 - 1) + "\n";
        byte[] text = Encoding.Latin1.GetBytes(header);
        byte[] data = new byte[10 + text.Length + payload.Length];
        data[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY").CopyTo(data, 1);
        data[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(8), (ushort)text.Length);
        text.CopyTo(data, 10);
        payload.CopyTo(data, 10 + text.Length);
        return data;
    }

    // Model.proto: specificationVersion = 1, description = 2; neuralNetwork = 500 with one innerProduct layer (140).
    private static byte[] CoreMLModel()
    {
        static ProtoBuilder Feature(string name) => new ProtoBuilder().String(1, name).Message(3, t => t.Message(5, a => a.Packed(1, 1, 3).Varint(2, 65568)));
        return new ProtoBuilder().Varint(1, 4)
            .Message(2, d => d.Message(1, Feature("input")).Message(10, Feature("output")))
            .Message(500, nn => nn.Message(1, l => l.String(1, "dense").String(2, "input").String(3, "output")
                .Message(140, p => p.Varint(1, 3).Varint(2, 3).Message(20, w => w.Bytes(1, new byte[36])))))
            .ToArray();
    }

    // framework.proto ProgramDesc: blocks = 1 (vars = 3, ops = 4: inputs = 1, outputs = 2, type = 3), version = 4.
    private static byte[] PaddleProgram()
    {
        static ProtoBuilder Op(string type, string input, string output) => new ProtoBuilder()
            .Message(1, v => v.String(1, "X").String(2, input)).Message(2, v => v.String(1, "Out").String(2, output)).String(3, type);
        var block = new ProtoBuilder().Varint(1, 0).Varint(2, -1)
            .Message(3, v => v.String(1, "x").Message(2, t => t.Varint(1, 7)).Varint(3, 0))
            .Message(4, Op("feed", "feed", "x")).Message(4, Op("relu", "x", "y")).Message(4, Op("fetch", "y", "fetch"));
        return new ProtoBuilder().Message(1, block).Message(4, v => v.Varint(1, 0)).ToArray();
    }

    // A 64-bit little-endian ELF header: loading a model file that is a program is running it.
    private static byte[] Elf()
    {
        byte[] data = new byte[128];
        data[0] = 0x7F;
        Encoding.ASCII.GetBytes("ELF").CopyTo(data, 1);
        data[4] = 2;
        data[5] = 1;
        data[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(16), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(18), 0x3E);
        return data;
    }
}
