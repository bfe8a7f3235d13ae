using System.Numerics;

namespace ModelAudit.Engine.Formats.NumPy;

/// <summary>
/// The .npy header dict as numpy's <c>_read_array_header</c> reads it: <c>ast.literal_eval</c> of the text (repeated
/// keys: the last wins), exactly the keys descr, fortran_order and shape, a tuple of ints for the shape, a bool for
/// fortran_order. What numpy rejects is a <see cref="ModelFormatException"/>; spellings numpy never writes are
/// kept as <see cref="Anomalies"/>.
/// </summary>
internal sealed class NumPyHeader
{
    private NumPyHeader(NumPyDescr descr, IReadOnlyList<BigInteger> shape, IReadOnlyList<string> anomalies, bool fortranOrder)
    {
        FortranOrder = fortranOrder;
        Descr = descr;
        Shape = shape;
        Anomalies = anomalies;
    }

    public NumPyDescr Descr { get; }

    public IReadOnlyList<BigInteger> Shape { get; }

    public IReadOnlyList<string> Anomalies { get; }

    /// <summary>True when the data is stored column-major (the header's fortran_order).</summary>
    public bool FortranOrder { get; }

    public static NumPyHeader Parse(string text, int major, long offset)
    {
        PyLiteral literal;
        try
        {
            literal = PythonLiteralParser.Parse(text.TrimStart(' ', '\t'));
        }
        catch (ModelFormatException) when (major <= 2)
        {
            // numpy retries v1/v2 headers with Python 2's long suffixes (3L) removed.
            literal = PythonLiteralParser.Parse(text.TrimStart(' ', '\t'), longSuffix: true);
        }
        catch (ModelFormatException ex)
        {
            throw new ModelFormatException(ex.Message, offset);
        }

        if (literal.Kind != PyLiteralKind.Dict)
        {
            throw new ModelFormatException($"the .npy header is a {literal.Kind}, not a dict", offset);
        }

        var anomalies = new List<string>();
        var values = new Dictionary<string, PyLiteral>(StringComparer.Ordinal);
        foreach (var (key, value) in literal.Entries)
        {
            if (key.Kind != PyLiteralKind.Str || key.Text is not ("descr" or "fortran_order" or "shape"))
            {
                throw new ModelFormatException("the .npy header has keys other than descr, fortran_order and shape (wrong HEADER_LEN?)", offset);
            }

            if (!key.Plain)
            {
                anomalies.Add($"spells the key '{key.Text}' with a prefix, escapes or concatenation");
            }

            if (!values.TryAdd(key.Text, value))
            {
                anomalies.Add($"repeats the key '{key.Text}' (numpy uses the last one)");
                values[key.Text] = value;
            }
        }

        if (values.Count != 3)
        {
            throw new ModelFormatException("the .npy header lacks descr, fortran_order or shape", offset);
        }

        if (values["fortran_order"].Kind != PyLiteralKind.Bool)
        {
            throw new ModelFormatException("fortran_order in the .npy header is not a bool", offset);
        }

        PyLiteral shape = values["shape"];
        if (shape.Kind != PyLiteralKind.Tuple || shape.Items.Any(d => !d.IsInteger))
        {
            throw new ModelFormatException("shape in the .npy header is not a tuple of ints", offset);
        }

        if (shape.Items.Any(d => d.Integer < 0))
        {
            throw new ModelFormatException("shape in the .npy header has a negative dimension", offset);
        }

        NumPyDescr descr = NumPyDescr.From(values["descr"]) ?? throw new ModelFormatException("descr in the .npy header is not a dtype numpy reads", offset);
        if (!descr.Plain)
        {
            anomalies.Add($"spells the dtype '{descr.Shown}' with a prefix, escapes or concatenation");
        }

        return new NumPyHeader(descr, shape.Items.Select(d => d.Integer).ToArray(), anomalies, !values["fortran_order"].Integer.IsZero);
    }
}
