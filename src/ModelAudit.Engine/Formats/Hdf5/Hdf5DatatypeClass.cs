namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>The datatype classes of the datatype message (specification section IV.A.2.d), low 4 bits of byte 0.</summary>
internal enum Hdf5DatatypeClass
{
    FixedPoint = 0,
    FloatingPoint = 1,
    Time = 2,
    String = 3,
    Bitfield = 4,
    Opaque = 5,
    Compound = 6,
    Reference = 7,
    Enumerated = 8,
    VariableLength = 9,
    Array = 10,
}
