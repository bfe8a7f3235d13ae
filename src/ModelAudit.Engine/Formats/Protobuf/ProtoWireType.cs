namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>The wire types of the protobuf encoding (groups, 3 and 4, are deprecated and rejected).</summary>
internal enum ProtoWireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}
