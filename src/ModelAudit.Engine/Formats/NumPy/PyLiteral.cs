using System.Numerics;

namespace ModelAudit.Engine.Formats.NumPy;

/// <summary>
/// One value of a Python literal, as <c>ast.literal_eval</c> would build it — kept as data, never as an object.
/// A string remembers whether it was spelled plainly (one quoted literal, no prefix, no escapes), because numpy writes
/// headers with <c>repr</c> and anything else is a hand-made header.
/// </summary>
internal sealed class PyLiteral
{
    private PyLiteral(PyLiteralKind kind) => Kind = kind;

    public PyLiteralKind Kind { get; private init; }

    /// <summary>The decoded text of a Str, or a Bytes value as Latin-1.</summary>
    public string Text { get; private init; } = "";

    /// <summary>False when the string used a prefix, an escape or implicit concatenation.</summary>
    public bool Plain { get; private init; } = true;

    public BigInteger Integer { get; private init; }

    public IReadOnlyList<PyLiteral> Items { get; private init; } = Array.Empty<PyLiteral>();

    /// <summary>Dict entries in source order, repeats included (the last one wins, as in Python).</summary>
    public IReadOnlyList<KeyValuePair<PyLiteral, PyLiteral>> Entries { get; private init; } = Array.Empty<KeyValuePair<PyLiteral, PyLiteral>>();

    /// <summary>True for ints and bools (bool is an int subclass in Python).</summary>
    public bool IsInteger => Kind is PyLiteralKind.Int or PyLiteralKind.Bool;

    public static PyLiteral String(string text, bool plain) => new(PyLiteralKind.Str) { Text = text, Plain = plain };

    public static PyLiteral ByteString(string latin1, bool plain) => new(PyLiteralKind.Bytes) { Text = latin1, Plain = plain };

    public static PyLiteral Int(BigInteger value) => new(PyLiteralKind.Int) { Integer = value };

    public static PyLiteral Bool(bool value) => new(PyLiteralKind.Bool) { Integer = value ? BigInteger.One : BigInteger.Zero };

    public static PyLiteral Scalar(PyLiteralKind kind) => new(kind);

    public static PyLiteral Sequence(PyLiteralKind kind, IReadOnlyList<PyLiteral> items) => new(kind) { Items = items };

    public static PyLiteral Dict(IReadOnlyList<KeyValuePair<PyLiteral, PyLiteral>> entries) => new(PyLiteralKind.Dict) { Entries = entries };

    /// <summary>Python equality for the keys numpy headers use (str keys compare by text).</summary>
    public bool SameKey(PyLiteral other) =>
        Kind == other.Kind && Kind switch
        {
            PyLiteralKind.Str or PyLiteralKind.Bytes => Text == other.Text,
            PyLiteralKind.Int or PyLiteralKind.Bool => Integer == other.Integer,
            _ => ReferenceEquals(this, other),
        };
}
