namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>One header message of an object header: its type, its flags and a cursor over its body.</summary>
internal sealed record Hdf5Message(ushort Type, byte Flags, Hdf5Cursor Body)
{
    public const ushort Dataspace = 0x0001;
    public const ushort LinkInfo = 0x0002;
    public const ushort Datatype = 0x0003;
    public const ushort DataLayout = 0x0008;
    public const ushort Link = 0x0006;
    public const ushort Continuation = 0x0010;
    public const ushort SymbolTable = 0x0011;
    public const ushort Attribute = 0x000C;
    public const ushort AttributeInfo = 0x0015;

    /// <summary>Flag bit 1: the body is a reference to a message stored elsewhere (a shared message).</summary>
    public bool IsShared => (Flags & 0x02) != 0;
}
