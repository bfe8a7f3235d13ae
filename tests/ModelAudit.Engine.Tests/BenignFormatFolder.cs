using System.Text;
using System.Text.Json.Nodes;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// One benign model of every graph, layer, tensor and runtime format (issues 10 and 11), laid out as the real tools
/// lay them out on disk: a model together with the sibling files it reads (ONNX external data, OpenVINO .bin, a
/// SavedModel's variables/, a Core ML package's weights, an Orbax checkpoint's OCDBT data files). Built from the same byte builders as each format's own
/// tests; <see cref="FormatFolderTests"/> writes it to <c>tests/fixtures/formats</c>, which the Pester suite scans.
/// The single-file runtime fixtures already committed in <c>tests/fixtures/benign</c> (GGUF, GGML, NumPy, TFLite,
/// Flax, XGBoost JSON, LightGBM, CatBoost, PMML, OpenVINO .xml alone) are not repeated here.
/// </summary>
internal static class BenignFormatFolder
{
    public static IReadOnlyList<(string Path, byte[] Bytes)> Files()
    {
        var files = new List<(string, byte[])>();

        // ONNX with its weights in external data beside it (onnx.save(..., save_as_external_data=True)).
        byte[] onnx = OnnxBuilder.Model(OnnxBuilder.Graph("main_graph",
            new[] { OnnxBuilder.Node("Conv", "/conv/Conv", new[] { "x", "conv.weight" }, new[] { "y" }) },
            new[] { OnnxBuilder.ExternalTensor("conv.weight", "model.onnx.data", 0, 864, 8, 3, 3, 3) }));
        files.Add(("onnx/model.onnx", onnx));
        files.Add(("onnx/model.onnx.data", new byte[864]));

        // TensorFlow: a TF2 SavedModel folder, a frozen GraphDef and a TF1 .meta.
        files.Add(("saved_model/saved_model.pb", TensorFlowBuilder.BenignTf2SavedModel()));
        (byte[] variablesIndex, byte[] variablesData) = CheckpointBuilder.BenignVariables();
        files.Add(("saved_model/variables/variables.index", variablesIndex));
        files.Add(("saved_model/variables/variables.data-00000-of-00001", variablesData));
        files.Add(("tensorflow/frozen_graph.pb", TensorFlowBuilder.FrozenGraph()));
        files.Add(("tensorflow/model.ckpt.meta", TensorFlowBuilder.MetaGraph(TensorFlowBuilder.Tf1SaverGraph(), TensorFlowBuilder.Tf1Saver).ToArray()));

        // R: an lm model as saveRDS writes it (gzip over XDR), and a workspace.
        files.Add(("r/lm_model.rds", File.ReadAllBytes(Scan.Fixture("r/benign/lm_model.rds"))));
        files.Add(("r/workspace.RData", File.ReadAllBytes(Scan.Fixture("r/benign/workspace.RData"))));

        // Torch7: an nn.Sequential as Lua Torch's torch.save writes it.
        files.Add(("torch7/sequential_linear.t7", File.ReadAllBytes(Scan.Fixture("torch7/sequential_linear.t7"))));

        // ExecuTorch: a program with its extended header and one data segment.
        files.Add(("executorch/model.pte", ExecuTorchTests.Program()));

        // Keras v3 archive, legacy H5, model.to_json() and a SavedModel's keras_metadata.pb.
        files.Add(("keras/model.keras", KerasBuilder.KerasArchive(KerasBuilder.Keras3Config())));
        files.Add(("keras/model.h5", KerasBuilder.LegacyH5(KerasBuilder.Keras2Config())));
        files.Add(("keras/model.json", KerasBuilder.Bytes(KerasBuilder.Keras2Config())));
        JsonObject metadataModel = KerasBuilder.Keras2Config();
        metadataModel["keras_version"] = "2.12.0";
        files.Add(("keras/keras_metadata.pb", KerasBuilder.SavedMetadata(("_tf_keras_sequential", "root", metadataModel))));

        // Archive layouts: skops, NeMo, TorchServe.
        files.Add(("archives/model.skops", LayerArchiveTests.Skops(LayerArchiveTests.SkopsSchema)));
        files.Add(("archives/asr.nemo", LayerArchiveTests.Nemo(LayerArchiveTests.NemoConfig)));
        files.Add(("archives/resnet.mar", LayerArchiveTests.Mar(LayerArchiveTests.MarManifest)));

        // XGBoost 2.1+ default save_model format (the JSON form is in tests/fixtures/benign).
        files.Add(("xgboost/model.ubj", UbjsonBuilder.FromJson(XGBoostTests.Model())));

        // TensorRT engine as trtexec --saveEngine writes it: the ftrt header, cubins, a built-in plugin name, weights.
        files.Add(("tensorrt/model.plan", TensorRtPlanBuilder.Benign()));

        // PaddlePaddle inference program and its combined parameters.
        files.Add(("paddle/inference.pdmodel", PaddleTests.Program(PaddleTests.Op("matmul_v2", "x", "h"), PaddleTests.Op("relu", "h", "y"))));
        files.Add(("paddle/inference.pdiparams", PaddleTests.Tensor(5, new long[] { 4, 8 }).Concat(PaddleTests.Tensor(5, new long[] { 8 })).ToArray()));

        // OpenVINO IR: the .xml and the .bin its Const layers read (64 bytes at offset 0).
        files.Add(("openvino/model.xml", Encoding.UTF8.GetBytes(OpenVinoTests.Network())));
        files.Add(("openvino/model.bin", new byte[64]));

        // Core ML: a neural network .mlmodel, and an ML program package with its weight file.
        files.Add(("coreml/model.mlmodel", CoreMLTests.Model(m => CoreMLTests.Network(m, CoreMLTests.Dense("dense")))));
        files.Add(("coreml/model.mlpackage/Manifest.json", Encoding.UTF8.GetBytes(CoreMLTests.Manifest.Replace("PATH", "com.apple.CoreML/weights"))));
        files.Add(("coreml/model.mlpackage/Data/com.apple.CoreML/model.mlmodel", CoreMLTests.Model(m => CoreMLTests.Network(m, CoreMLTests.Dense("dense")))));
        files.Add(("coreml/model.mlpackage/Data/com.apple.CoreML/weights/weight.bin", CoreMLTests.Weights(96, 128)));

        // An Orbax checkpoint step with OCDBT storage (zstd manifests and node), as tests/fixtures/generate_orbax.py
        // writes it following TensorStore's OCDBT format; copied from the committed fixture, not re-encoded here.
        string orbax = Scan.Fixture("orbax/benign");
        foreach (string file in Directory.EnumerateFiles(orbax, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            files.Add(("orbax/" + Path.GetRelativePath(orbax, file).Replace(Path.DirectorySeparatorChar, '/'), File.ReadAllBytes(file)));
        }

        return files;
    }
}
