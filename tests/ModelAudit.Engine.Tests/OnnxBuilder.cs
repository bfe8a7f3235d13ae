namespace ModelAudit.Engine.Tests;

/// <summary>ONNX models hand-encoded after onnx.proto, laid out the way torch.onnx.export writes them.</summary>
internal static class OnnxBuilder
{
    public static ProtoBuilder Node(string op, string name, string[] inputs, string[] outputs, string domain = "", Action<ProtoBuilder>? attributes = null)
    {
        var node = new ProtoBuilder();
        foreach (string i in inputs)
        {
            node.String(1, i);
        }

        foreach (string o in outputs)
        {
            node.String(2, o);
        }

        node.String(3, name).String(4, op);
        attributes?.Invoke(node);
        if (domain.Length > 0)
        {
            node.String(7, domain);
        }

        return node;
    }

    /// <summary>An attribute holding a graph (If/Loop/Scan bodies): name = 1, g = 6, type = 20 (GRAPH = 5).</summary>
    public static void GraphAttribute(ProtoBuilder node, string name, ProtoBuilder graph) =>
        node.Message(5, a => a.String(1, name).Message(6, graph).Varint(20, 5));

    /// <summary>A string attribute: s = 4, type = 20 (STRING = 3).</summary>
    public static void StringAttribute(ProtoBuilder node, string name, string value) =>
        node.Message(5, a => a.String(1, name).String(4, value).Varint(20, 3));

    /// <summary>A float tensor with its data inline (raw_data = 9).</summary>
    public static ProtoBuilder RawTensor(string name, params long[] dims)
    {
        long count = dims.Aggregate(1L, (a, b) => a * b);
        return new ProtoBuilder().Packed(1, dims).Varint(2, 1).String(8, name).Bytes(9, new byte[count * 4]);
    }

    /// <summary>A float tensor stored externally (external_data = 13, data_location = 14 EXTERNAL).</summary>
    public static ProtoBuilder ExternalTensor(string name, string location, long offset, long? length, params long[] dims)
    {
        var t = new ProtoBuilder().Packed(1, dims).Varint(2, 1).String(8, name).Entry(13, "location", location);
        t.Entry(13, "offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (length is { } l)
        {
            t.Entry(13, "length", l.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return t.Varint(14, 1);
    }

    private static ProtoBuilder ValueInfo(string name) =>
        new ProtoBuilder().String(1, name).Message(2, t => t.Message(1, tt => tt.Varint(1, 1).Message(2, s => s.Message(1, d => d.Varint(1, 1)))));

    /// <summary>A graph: node = 1, name = 2, initializer = 5, input = 11, output = 12.</summary>
    public static ProtoBuilder Graph(string name, IEnumerable<ProtoBuilder> nodes, IEnumerable<ProtoBuilder>? initializers = null, string input = "x", string output = "y")
    {
        var g = new ProtoBuilder();
        foreach (ProtoBuilder n in nodes)
        {
            g.Message(1, n);
        }

        g.String(2, name);
        foreach (ProtoBuilder t in initializers ?? Array.Empty<ProtoBuilder>())
        {
            g.Message(5, t);
        }

        return g.Message(11, ValueInfo(input)).Message(12, ValueInfo(output));
    }

    /// <summary>A ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, graph = 7, opset_import = 8,
    /// metadata_props = 14, functions = 25.</summary>
    public static byte[] Model(ProtoBuilder graph, Action<ProtoBuilder>? extra = null, params (string Domain, long Version)[] opsets)
    {
        var m = new ProtoBuilder().Varint(1, 8).String(2, "pytorch").String(3, "2.1.0").Message(7, graph);
        foreach (var (domain, version) in opsets.Length > 0 ? opsets : new[] { ("", 17L) })
        {
            m.Message(8, o => o.String(1, domain).Varint(2, version));
        }

        extra?.Invoke(m);
        return m.ToArray();
    }

    /// <summary>Conv → Relu with a weight initializer, the shape of a small exported CNN.</summary>
    public static byte[] Benign() => Model(Graph("main_graph",
        new[]
        {
            Node("Conv", "/conv/Conv", new[] { "x", "conv.weight" }, new[] { "/conv/Conv_output_0" }),
            Node("Relu", "/relu/Relu", new[] { "/conv/Conv_output_0" }, new[] { "y" }),
        },
        new[] { RawTensor("conv.weight", 8, 3, 3, 3) }));
}
