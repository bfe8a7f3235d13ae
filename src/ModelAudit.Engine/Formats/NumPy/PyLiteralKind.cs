namespace ModelAudit.Engine.Formats.NumPy;

/// <summary>What a Python literal is, among the forms <c>ast.literal_eval</c> accepts.</summary>
internal enum PyLiteralKind
{
    Str,
    Bytes,
    Int,
    Float,
    Complex,
    Bool,
    None,
    Ellipsis,
    Tuple,
    List,
    Set,
    Dict,
}
