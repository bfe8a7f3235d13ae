namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Builtins whose only effect is computing on their arguments: called on plain data (numbers, strings, bytes and
/// containers of them) they run nothing a pickle could choose, so such a call is allowed. Reviewed by hand; each one
/// neither calls an argument (unlike <c>iter(f, sentinel)</c>, <c>map</c>, <c>filter</c>) nor reaches the interpreter
/// (<c>getattr</c>, <c>eval</c>, <c>exec</c>, <c>compile</c>, <c>open</c>, <c>__import__</c>, <c>input</c>,
/// <c>breakpoint</c>, <c>setattr</c>, <c>delattr</c>, <c>globals</c>, <c>vars</c>, <c>locals</c> stay graded as they are).
/// </summary>
internal static class PureBuiltins
{
    // Bounds the walk over nested argument containers; deeper data is not called plain.
    private const int MaxDepth = 16;

    private static readonly HashSet<string> s_names = new(StringComparer.Ordinal)
    {
        "len", "abs", "min", "max", "sum", "round", "divmod", "pow", "sorted", "reversed", "enumerate", "zip",
        "chr", "ord", "hash", "any", "all", "bin", "oct", "hex", "ascii", "repr", "format", "isinstance", "issubclass",
        "id", "callable",
    };

    /// <summary>True when <paramref name="call"/> is one of these builtins applied to plain data only.</summary>
    public static bool IsPureCall(PValue callable, PValue call) =>
        callable.Module is "builtins" && s_names.Contains(callable.Name!) && IsPlainData(call.Args, 0);

    private static bool IsPlainData(PValue? value, int depth)
    {
        if (value is null || depth > MaxDepth)
        {
            return false;
        }

        return value.Kind switch
        {
            PValueKind.None or PValueKind.Bool or PValueKind.Int or PValueKind.Float or PValueKind.Str or PValueKind.Bytes => true,
            PValueKind.Tuple or PValueKind.List or PValueKind.Set or PValueKind.Dict =>
                value.Items is { } items && items.Count == value.Count && items.All(i => IsPlainData(i, depth + 1)),
            _ => false,
        };
    }
}
