namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>
/// The field layout of one protobuf message type, as its official .proto declares it: field number → what the field
/// holds. Classification checks bytes against shapes; nested shapes are resolved lazily so recursive types
/// (ONNX graph → node → attribute → graph) can refer to each other.
/// </summary>
internal sealed class ProtoShape
{
    private readonly Dictionary<int, (ProtoFieldKind Kind, Func<ProtoShape>? Nested)> _fields = new();

    public ProtoShape(string name) => Name = name;

    /// <summary>The message type's name in its .proto.</summary>
    public string Name { get; }

    public ProtoShape Field(int number, ProtoFieldKind kind)
    {
        _fields[number] = (kind, null);
        return this;
    }

    public ProtoShape Message(int number, Func<ProtoShape> nested)
    {
        _fields[number] = (ProtoFieldKind.Message, nested);
        return this;
    }

    public ProtoShape Fields(ProtoFieldKind kind, params int[] numbers)
    {
        foreach (int number in numbers)
        {
            _fields[number] = (kind, null);
        }

        return this;
    }

    public bool TryGet(int number, out ProtoFieldKind kind, out ProtoShape? nested)
    {
        if (_fields.TryGetValue(number, out var field))
        {
            kind = field.Kind;
            nested = field.Nested?.Invoke();
            return true;
        }

        kind = default;
        nested = null;
        return false;
    }
}
