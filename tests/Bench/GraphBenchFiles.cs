using System.Text;

namespace ModelAudit.Bench;

/// <summary>
/// Bounded-memory inputs for the graph formats, written once as sparse files: an ONNX model past protobuf's 2 GB
/// limit (one 2.2 GiB initializer held inline as raw_data) and a small ONNX model whose three 1 GiB tensors live in a
/// 3 GiB external data file beside it.
/// </summary>
internal static class GraphBenchFiles
{
    private const long InlineTensorBytes = 2_200L << 20;
    private const long ExternalTensorBytes = 1L << 30;

    public static string HugeOnnx(string dir)
    {
        string path = Path.Combine(dir, "huge-2.2g.onnx");
        if (File.Exists(path))
        {
            return path;
        }

        long elements = InlineTensorBytes / 4;
        byte[] tensorHead = Concat(Packed(1, elements), Varint(2, 1), Str(8, "big.weight"), Tag(9, 2), RawVarint((ulong)InlineTensorBytes));
        byte[] node = Message(1, Concat(Str(1, "x"), Str(1, "big.weight"), Str(2, "y"), Str(3, "/mm/MatMul"), Str(4, "MatMul")));
        byte[] graphTail = Concat(Message(11, Str(1, "x")), Message(12, Str(1, "y")));
        byte[] graphHead = Concat(node, Str(2, "main_graph"), Tag(5, 2), RawVarint((ulong)(tensorHead.Length + InlineTensorBytes)), tensorHead);
        long graphLength = graphHead.Length + InlineTensorBytes + graphTail.Length;
        byte[] modelHead = Concat(Varint(1, 8), Str(2, "pytorch"), Str(3, "2.1.0"), Tag(7, 2), RawVarint((ulong)graphLength), graphHead);
        byte[] modelTail = Concat(graphTail, Message(8, Concat(Str(1, ""), Varint(2, 17))));
        using var file = File.Create(path);
        file.Write(modelHead);
        file.Seek(InlineTensorBytes, SeekOrigin.Current);
        file.Write(modelTail);
        return path;
    }

    /// <summary>Returns the model; its 3 GiB <c>model.onnx.data</c> sits beside it.</summary>
    public static string ExternalDataOnnx(string dir)
    {
        string folder = Path.Combine(dir, "external-3g");
        string path = Path.Combine(folder, "model.onnx");
        if (File.Exists(path))
        {
            return path;
        }

        Directory.CreateDirectory(folder);
        using (var data = File.Create(Path.Combine(folder, "model.onnx.data")))
        {
            data.SetLength(3 * ExternalTensorBytes);
        }

        var graph = new List<byte[]> { Message(1, Concat(Str(1, "x"), Str(1, "w0"), Str(2, "y"), Str(3, "/mm/MatMul"), Str(4, "MatMul"))), Str(2, "main_graph") };
        for (int i = 0; i < 3; i++)
        {
            graph.Add(Message(5, Concat(Packed(1, ExternalTensorBytes / 4), Varint(2, 1), Str(8, $"w{i}"),
                Message(13, Concat(Str(1, "location"), Str(2, "model.onnx.data"))),
                Message(13, Concat(Str(1, "offset"), Str(2, (i * ExternalTensorBytes).ToString(System.Globalization.CultureInfo.InvariantCulture)))),
                Message(13, Concat(Str(1, "length"), Str(2, ExternalTensorBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)))),
                Varint(14, 1))));
        }

        graph.Add(Message(11, Str(1, "x")));
        graph.Add(Message(12, Str(1, "y")));
        File.WriteAllBytes(path, Concat(Varint(1, 8), Str(2, "pytorch"), Message(7, Concat(graph.ToArray())), Message(8, Concat(Str(1, ""), Varint(2, 17)))));
        return path;
    }

    private static byte[] Tag(int field, int wire) => RawVarint(((ulong)field << 3) | (uint)wire);

    private static byte[] Varint(int field, long value) => Concat(Tag(field, 0), RawVarint((ulong)value));

    private static byte[] Str(int field, string value) => Message(field, Encoding.UTF8.GetBytes(value));

    private static byte[] Message(int field, byte[] body) => Concat(Tag(field, 2), RawVarint((ulong)body.Length), body);

    private static byte[] Packed(int field, params long[] values) => Message(field, Concat(values.Select(v => RawVarint((ulong)v)).ToArray()));

    private static byte[] RawVarint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return bytes.ToArray();
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
