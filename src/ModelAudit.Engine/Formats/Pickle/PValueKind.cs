namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>What a symbolic pickle value stands for.</summary>
internal enum PValueKind
{
    None,
    Bool,
    Int,
    Float,
    Str,
    Bytes,
    Tuple,
    List,
    Dict,
    Set,
    Global,
    Call,
    Persistent,
    Buffer,
}
