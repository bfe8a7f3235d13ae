using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PureHDF;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// Keras files from the committed fixtures (tests/fixtures/keras/generate_keras.py): .keras zips laid out as
/// saving_lib writes them, legacy H5 files written with PureHDF (root attributes as tf.keras sets them, a weights
/// group with datasets), keras_metadata.pb hand-encoded on the wire, and Lambda layers in both Keras encodings.
/// </summary>
internal static class KerasBuilder
{
    private static readonly JsonObject s_lambdas = Load("lambdas.json");

    public static JsonObject Keras3Config() => Load("keras3_config.json");

    public static JsonObject Keras2Config() => Load("keras2_model_config.json");

    public static string Lambda(string name) => s_lambdas[name]!.GetValue<string>();

    /// <summary>A Keras 3 Lambda layer: function {"class_name": "__lambda__", "config": {"code": …}}.</summary>
    public static JsonObject Keras3Lambda(string lambda) => new()
    {
        ["module"] = "keras.layers",
        ["class_name"] = "Lambda",
        ["config"] = new JsonObject
        {
            ["name"] = "lambda",
            ["trainable"] = true,
            ["function"] = new JsonObject
            {
                ["class_name"] = "__lambda__",
                ["config"] = new JsonObject { ["code"] = Lambda(lambda), ["defaults"] = null, ["closure"] = null },
            },
            ["arguments"] = new JsonObject(),
        },
        ["registered_name"] = null,
    };

    /// <summary>A tf.keras 2.x Lambda layer: function [code, defaults, closure], function_type "lambda".</summary>
    public static JsonObject Keras2Lambda(string lambda) => new()
    {
        ["class_name"] = "Lambda",
        ["config"] = new JsonObject
        {
            ["name"] = "lambda",
            ["trainable"] = true,
            ["dtype"] = "float32",
            ["function"] = new JsonArray(Lambda(lambda), null, null),
            ["function_type"] = "lambda",
            ["module"] = "__main__",
            ["output_shape"] = null,
            ["output_shape_type"] = "raw",
            ["output_shape_module"] = null,
            ["arguments"] = new JsonObject(),
        },
    };

    /// <summary>The config with one more layer after the others.</summary>
    public static JsonObject WithLayer(JsonObject config, JsonNode layer)
    {
        config["config"]!["layers"]!.AsArray().Add(layer);
        return config;
    }

    public static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    public static byte[] Metadata(string version) =>
        Encoding.UTF8.GetBytes($"{{\"keras_version\": \"{version}\", \"date_saved\": \"2025-01-02@03:04:05\"}}");

    /// <summary>A .keras archive in saving_lib's member order: metadata.json, config.json, model.weights.h5.</summary>
    public static byte[] KerasArchive(JsonObject config, string version = "3.3.3", bool configFirst = false)
    {
        (string, byte[]) metadata = ("metadata.json", Metadata(version));
        (string, byte[]) cfg = ("config.json", Bytes(config));
        (string, byte[]) weights = ("model.weights.h5", WeightsH5());
        return configFirst ? ArchiveBuilder.Zip(cfg, metadata, weights) : ArchiveBuilder.Zip(metadata, cfg, weights);
    }

    /// <summary>Keras 3 model.weights.h5: groups per layer holding "vars" datasets, no model_config.</summary>
    public static byte[] WeightsH5()
    {
        var file = new H5File
        {
            ["layers"] = new H5Group
            {
                ["dense"] = new H5Group
                {
                    ["vars"] = new H5Group
                    {
                        ["0"] = new H5Dataset(new float[,] { { 0.1f, 0.2f }, { 0.3f, 0.4f }, { 0.5f, 0.6f }, { 0.7f, 0.8f } }),
                        ["1"] = new H5Dataset(new float[] { 0f, 0f }),
                    },
                },
            },
        };
        return Write(file);
    }

    /// <summary>A legacy H5 model as tf.keras 2.x writes it: root attributes keras_version, backend, model_config,
    /// training_config, and the weights under model_weights.</summary>
    public static byte[] LegacyH5(JsonObject modelConfig, string? version = "2.12.0", string? trainingConfig = null)
    {
        var file = new H5File
        {
            ["model_weights"] = new H5Group
            {
                ["dense"] = new H5Group
                {
                    ["dense"] = new H5Group
                    {
                        ["kernel:0"] = new H5Dataset(new float[,] { { 0.1f, 0.2f }, { 0.3f, 0.4f }, { 0.5f, 0.6f }, { 0.7f, 0.8f } }),
                        ["bias:0"] = new H5Dataset(new float[] { 0f, 0f }),
                    },
                },
            },
        };
        file.Attributes["backend"] = "tensorflow";
        file.Attributes["model_config"] = modelConfig.ToJsonString();
        if (version is not null)
        {
            file.Attributes["keras_version"] = version;
        }

        if (trainingConfig is not null)
        {
            file.Attributes["training_config"] = trainingConfig;
        }

        return Write(file);
    }

    /// <summary>keras_metadata.pb: SavedMetadata { repeated SavedObject nodes = 1 }, each node_id (2), node_path (3),
    /// identifier (4) and metadata JSON (5).</summary>
    public static byte[] SavedMetadata(params (string Identifier, string Path, JsonNode Metadata)[] nodes)
    {
        var file = new MemoryStream();
        int id = 0;
        foreach (var (identifier, path, metadata) in nodes)
        {
            var node = new MemoryStream();
            node.WriteByte(0x10);
            WriteVarint(node, (ulong)id++);
            WriteString(node, 3, path);
            WriteString(node, 4, identifier);
            WriteString(node, 5, metadata.ToJsonString());
            WriteBytes(file, 1, node.ToArray());
        }

        return file.ToArray();
    }

    private static void WriteString(Stream s, int field, string value) => WriteBytes(s, field, Encoding.UTF8.GetBytes(value));

    private static void WriteBytes(Stream s, int field, byte[] value)
    {
        WriteVarint(s, (ulong)(field << 3 | 2));
        WriteVarint(s, (ulong)value.Length);
        s.Write(value);
    }

    private static void WriteVarint(Stream s, ulong value)
    {
        while (value >= 0x80)
        {
            s.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        s.WriteByte((byte)value);
    }

    private static byte[] Write(H5File file)
    {
        var buffer = new MemoryStream();
        file.Write(buffer);
        return buffer.ToArray();
    }

    private static JsonObject Load(string name) =>
        JsonNode.Parse(File.ReadAllText(Scan.Fixture("keras/" + name)), documentOptions: new JsonDocumentOptions { MaxDepth = 64 })!.AsObject();
}
