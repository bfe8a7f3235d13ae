namespace ModelAudit.Engine.Tests;

/// <summary>TensorFlow graphs hand-encoded after graph.proto, node_def.proto, function.proto, meta_graph.proto and
/// saved_model.proto, laid out as tf.saved_model.save and tf.compat.v1 savers write them.</summary>
internal static class TensorFlowBuilder
{
    /// <summary>NodeDef: name = 1, op = 2, input = 3, device = 4, attr = 5 (map entry: key = 1, AttrValue = 2).</summary>
    public static ProtoBuilder Node(string name, string op, params string[] inputs)
    {
        var n = new ProtoBuilder().String(1, name).String(2, op);
        foreach (string i in inputs)
        {
            n.String(3, i);
        }

        return n;
    }

    /// <summary>A string attribute (AttrValue.s = 2).</summary>
    public static ProtoBuilder WithString(this ProtoBuilder node, string key, string value) =>
        node.Message(5, e => e.String(1, key).Message(2, v => v.String(2, value)));

    /// <summary>A dtype attribute (AttrValue.type = 6).</summary>
    public static ProtoBuilder WithType(this ProtoBuilder node, string key, int dtype) =>
        node.Message(5, e => e.String(1, key).Message(2, v => v.Varint(6, dtype)));

    /// <summary>A float scalar constant (AttrValue.tensor = 8: dtype = 1, tensor_shape = 2, tensor_content = 4).</summary>
    public static ProtoBuilder Const(string name) =>
        Node(name, "Const").WithType("dtype", 1)
            .Message(5, e => e.String(1, "value").Message(2, v => v.Message(8, t => t.Varint(1, 1).Message(2, _ => { }).Bytes(4, new byte[4]))));

    /// <summary>FunctionDef: signature (OpDef name = 1) = 1, node_def = 3.</summary>
    public static ProtoBuilder Function(string name, params ProtoBuilder[] nodes)
    {
        var f = new ProtoBuilder().Message(1, s => s.String(1, name).Message(2, a => a.String(1, "x").Varint(3, 1)));
        foreach (ProtoBuilder n in nodes)
        {
            f.Message(3, n);
        }

        return f;
    }

    /// <summary>GraphDef: node = 1, library = 2 (FunctionDefLibrary.function = 1), versions = 4.</summary>
    public static ProtoBuilder Graph(IEnumerable<ProtoBuilder> nodes, params ProtoBuilder[] functions)
    {
        var g = new ProtoBuilder();
        foreach (ProtoBuilder n in nodes)
        {
            g.Message(1, n);
        }

        if (functions.Length > 0)
        {
            g.Message(2, lib =>
            {
                foreach (ProtoBuilder f in functions)
                {
                    lib.Message(1, f);
                }
            });
        }

        return g.Message(4, v => v.Varint(1, 1700).Varint(2, 12));
    }

    /// <summary>MetaGraphDef: meta_info_def = 1 (stripped_op_list = 2, tags = 4, tensorflow_version = 5), graph_def = 2,
    /// saver_def = 3 (filename_tensor_name = 1, save_tensor_name = 2, restore_op_name = 3), signature_def = 5.</summary>
    public static ProtoBuilder MetaGraph(ProtoBuilder graph, (string Filename, string Save, string Restore)? saver = null)
    {
        var m = new ProtoBuilder().Message(1, info => info
            .Message(2, ops => ops.Message(1, op => op.String(1, "Const").Message(3, a => a.String(1, "output").String(4, "dtype"))))
            .String(4, "serve").String(5, "2.15.0").String(6, "v2.15.0-rc1-8-g6887368d6d4").Varint(7, 1));
        m.Message(2, graph);
        if (saver is { } s)
        {
            m.Message(3, sd => sd.String(1, s.Filename).String(2, s.Save).String(3, s.Restore).Varint(4, 5).Varint(7, 2));
        }

        return m.Message(5, sig => sig.String(1, "serving_default").Message(2, d => d.String(3, "tensorflow/serving/predict")));
    }

    /// <summary>SavedModel: saved_model_schema_version = 1, meta_graphs = 2.</summary>
    public static byte[] SavedModel(ProtoBuilder metaGraph) => new ProtoBuilder().Varint(1, 1).Message(2, metaGraph).ToArray();

    /// <summary>A TF2 SavedModel as tf.saved_model.save writes it: the serving function and the checkpointing functions
    /// (__inference__traced_save_N with SaveV2/MergeV2Checkpoints, __inference__traced_restore_N with RestoreV2).</summary>
    public static byte[] BenignTf2SavedModel(params ProtoBuilder[] extraFunctions)
    {
        ProtoBuilder serving = Function("__inference_signature_wrapper_42",
            Node("MatMul", "MatMul", "x", "w").WithType("T", 1), Node("Relu", "Relu", "MatMul:product:0").WithType("T", 1));
        ProtoBuilder save = Function("__inference__traced_save_97",
            Node("StaticRegexFullMatch", "StaticRegexFullMatch", "file_prefix"), Node("StringJoin", "StringJoin", "file_prefix"),
            Node("ShardedFilename", "ShardedFilename", "StringJoin:output:0"), Node("SaveV2", "SaveV2", "ShardedFilename:filename:0"),
            Node("MergeV2Checkpoints", "MergeV2Checkpoints", "ShardedFilename:filename:0"), Node("Identity", "Identity", "file_prefix"));
        ProtoBuilder restore = Function("__inference__traced_restore_110",
            Node("RestoreV2", "RestoreV2", "file_prefix"), Node("AssignVariableOp", "AssignVariableOp", "RestoreV2:tensors:0"));
        ProtoBuilder graph = Graph(new[]
        {
            Node("x", "Placeholder").WithType("dtype", 1),
            Node("StatefulPartitionedCall", "StatefulPartitionedCall", "x").Message(5, e => e.String(1, "f").Message(2, v => v.Message(10, f => f.String(1, "__inference_signature_wrapper_42")))),
            Node("saver_filename", "Placeholder").WithType("dtype", 7),
            Node("StatefulPartitionedCall_1", "StatefulPartitionedCall", "saver_filename"),
            Node("StatefulPartitionedCall_2", "StatefulPartitionedCall", "saver_filename"),
        }, new[] { serving, save, restore }.Concat(extraFunctions).ToArray());
        return SavedModel(MetaGraph(graph, ("saver_filename:0", "StatefulPartitionedCall_1:0", "StatefulPartitionedCall_2")));
    }

    /// <summary>A TF1 graph with tf.compat.v1.train.Saver's "save/" scope.</summary>
    public static ProtoBuilder Tf1SaverGraph(params ProtoBuilder[] extra) => Graph(new[]
    {
        Node("x", "Placeholder").WithType("dtype", 1), Node("w", "VariableV2").WithType("dtype", 1), Node("MatMul", "MatMul", "x", "w"),
        Const("save/Const"), Node("save/SaveV2/tensor_names", "Const"), Node("save/SaveV2", "SaveV2", "save/Const", "save/SaveV2/tensor_names"),
        Node("save/control_dependency", "Identity", "save/Const", "^save/SaveV2"), Node("save/RestoreV2", "RestoreV2", "save/Const"),
        Node("save/Assign", "Assign", "w", "save/RestoreV2"), Node("save/restore_all", "NoOp", "^save/Assign"),
    }.Concat(extra));

    public static (string, string, string) Tf1Saver => ("save/Const:0", "save/control_dependency:0", "save/restore_all");

    /// <summary>A frozen inference graph: constants folded in, no saver.</summary>
    public static byte[] FrozenGraph(params ProtoBuilder[] extra) => Graph(new[]
    {
        Node("input", "Placeholder").WithType("dtype", 1), Const("dense/kernel"), Node("dense/MatMul", "MatMul", "input", "dense/kernel"),
        Node("output", "Softmax", "dense/MatMul"),
    }.Concat(extra)).ToArray();
}
