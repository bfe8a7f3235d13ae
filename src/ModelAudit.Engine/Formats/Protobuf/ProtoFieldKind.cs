namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>What a field of a <see cref="ProtoShape"/> holds, as far as classification can check it.</summary>
internal enum ProtoFieldKind
{
    /// <summary>A varint scalar.</summary>
    Varint,

    /// <summary>A repeated varint, packed (length-delimited) or not.</summary>
    PackedVarint,

    /// <summary>A float or fixed32, packed or not.</summary>
    Fixed32,

    /// <summary>A double or fixed64, packed or not.</summary>
    Fixed64,

    /// <summary>Any bytes.</summary>
    Bytes,

    /// <summary>UTF-8 text.</summary>
    Utf8,

    /// <summary>Printable UTF-8 text (no control characters but tab and line breaks): names, versions, producers.</summary>
    PrintableText,

    /// <summary>An operator or type name: letters, digits, '_', '.', '>' (TensorFlow's custom-op namespace) and '-'.</summary>
    Identifier,

    /// <summary>A nested message whose own fields are checked against its shape.</summary>
    Message,

    /// <summary>A nested message that is not checked further.</summary>
    AnyMessage,
}
