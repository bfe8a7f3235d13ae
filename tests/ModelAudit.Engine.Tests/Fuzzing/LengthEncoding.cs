namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>How a length or offset field is written in its format.</summary>
internal enum LengthEncoding
{
    LittleEndian,
    BigEndian,

    /// <summary>A protobuf base-128 varint (rewriting it may change its width).</summary>
    Varint,

    /// <summary>ASCII octal digits, as in a tar header's size field.</summary>
    Octal,
}
