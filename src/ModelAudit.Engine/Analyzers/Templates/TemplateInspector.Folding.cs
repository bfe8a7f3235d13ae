using System.Globalization;
using System.Text;

namespace ModelAudit.Engine.Analyzers.Templates;

/// <summary>
/// Static evaluation of the string expressions SSTI payloads use to hide a name: literals, <c>~</c>, <c>+</c>,
/// <c>*</c>, <c>%</c> formatting, <c>|join</c>, <c>|format</c>, <c>|replace</c>, <c>|reverse</c>, <c>|lower</c>,
/// <c>str.format</c>, slices, <c>dict(__class__=1)|list|first</c>, and variables set to such values. A value is a
/// list of alternatives (a variable set twice has two); anything not worked out is null, "computed at render time".
/// </summary>
internal sealed partial class TemplateInspector
{
    // Alternatives kept per expression: enough for variables set in a few branches, small enough that products of
    // alternatives across a long '~' chain cannot grow without bound.
    private const int MaxAlternatives = 16;

    // Nested expressions and variable hops followed; deeper chains are left unresolved (reported as computed).
    private const int MaxFoldDepth = 48;

    // Longest string folding builds: names are short, and '"_" * 10**9' must not allocate a gigabyte.
    private const int MaxFoldedLength = 4096;

    private readonly HashSet<string> _folding = new(StringComparer.Ordinal);

    private List<string>? FoldStrings(JinjaNode node)
    {
        List<object>? values = Fold(node, 0);
        return values?.Select(ToText).ToList();
    }

    private List<object>? Fold(JinjaNode node, int depth)
    {
        if (depth > MaxFoldDepth)
        {
            return null;
        }

        int d = depth + 1;
        switch (node.Kind)
        {
            case JinjaNodeKind.String:
                return new List<object> { node.Value! };
            case JinjaNodeKind.Number:
                return ParseInteger(node.Value!) is long n ? new List<object> { n } : null;
            case JinjaNodeKind.List:
            case JinjaNodeKind.Tuple:
                return FoldSequence(node.Children, node.Kind == JinjaNodeKind.Tuple, d);
            case JinjaNodeKind.Dict:
                return FoldSequence(node.Children.Select(p => p.Children[0]).ToList(), false, d);
            case JinjaNodeKind.Name:
                return FoldName(node.Value!, d);
            case JinjaNodeKind.CondExpr:
                return Union(Fold(node.Children[1], d), node.Children[2].Kind == JinjaNodeKind.Empty ? null : Fold(node.Children[2], d));
            case JinjaNodeKind.Binary:
                return Product(Fold(node.Children[0], d), Fold(node.Children[1], d), (a, b) => ApplyOperator(node.Value!, a, b));
            case JinjaNodeKind.Filter:
                return FoldFilter(node, d);
            case JinjaNodeKind.Call:
                return FoldCall(node, d);
            case JinjaNodeKind.Getitem:
                return node.Children[1].Kind == JinjaNodeKind.Slice
                    ? FoldSlice(Fold(node.Children[0], d), node.Children[1], d)
                    : Product(Fold(node.Children[0], d), Fold(node.Children[1], d), Index);
            default:
                return null;
        }
    }

    private List<object>? FoldSequence(IReadOnlyList<JinjaNode> items, bool isTuple, int depth)
    {
        var values = new List<object>();
        foreach (JinjaNode item in items)
        {
            // A literal list of alternatives would multiply out; lists are folded only when each item is one value.
            if (Fold(item, depth) is not { Count: 1 } one)
            {
                return null;
            }

            values.Add(one[0]);
        }

        return new List<object> { new FoldedSequence(values, isTuple) };
    }

    private List<object>? FoldName(string name, int depth)
    {
        if (!_bound.Contains(name) || !_folding.Add(name))
        {
            return null; // a context variable (messages…) or a self-referencing assignment
        }

        try
        {
            List<object>? result = new();
            foreach (JinjaNode value in _assignments.GetValueOrDefault(name) ?? new List<JinjaNode>())
            {
                result = Union(result, Fold(value, depth));
            }

            foreach (JinjaNode source in _loopSources.GetValueOrDefault(name) ?? new List<JinjaNode>())
            {
                List<object>? items = null;
                foreach (object iterable in Fold(source, depth) ?? new List<object>())
                {
                    items = Union(items ?? new List<object>(), Elements(iterable));
                }

                result = Union(result, items);
            }

            // Bound but never to a foldable value (a macro parameter, a loop over messages): unknown.
            return result is { Count: > 0 } ? result : null;
        }
        finally
        {
            _folding.Remove(name);
        }
    }

    private List<object>? FoldFilter(JinjaNode node, int depth)
    {
        string name = node.Value!;
        List<object>? operand = node.Children[0].Kind == JinjaNodeKind.Empty ? null : Fold(node.Children[0], depth);
        var args = new List<object>();
        foreach (JinjaNode arg in node.Children.Skip(1))
        {
            if (arg.Kind != JinjaNodeKind.Keyword && Fold(arg, depth) is { Count: 1 } one)
            {
                args.Add(one[0]);
            }
            else if (arg.Kind != JinjaNodeKind.Keyword || name is not ("join" or "default" or "d"))
            {
                return null;
            }
        }

        if (name is "default" or "d")
        {
            return Union(operand, args.Count > 0 ? new List<object> { args[0] } : null);
        }

        return Map(operand, value => name switch
        {
            "join" => Join(value, args.Count > 0 ? ToText(args[0]) : string.Empty),
            "format" => Printf(ToText(value), args),
            "replace" when args.Count >= 2 => ToText(value).Replace(ToText(args[0]), ToText(args[1]), StringComparison.Ordinal),
            "lower" => ToText(value).ToLowerInvariant(),
            "upper" => ToText(value).ToUpperInvariant(),
            "trim" => ToText(value).Trim(),
            "string" or "safe" or "e" or "escape" or "forceescape" => value is string s && !s.Any(c => c is '<' or '>' or '&' or '\'' or '"') ? s : name == "string" ? ToText(value) : null,
            "reverse" => value is string s ? new string(s.Reverse().ToArray()) : value is FoldedSequence seq ? new FoldedSequence(seq.Items.Reverse().ToList(), false) : null,
            "list" => Elements(value) is { } items ? new FoldedSequence(items, false) : null,
            "first" => Elements(value) is { Count: > 0 } items ? items[0] : null,
            "last" => Elements(value) is { Count: > 0 } items ? items[^1] : null,
            _ => null,
        });
    }

    private List<object>? FoldCall(JinjaNode node, int depth)
    {
        JinjaNode callee = node.Children[0];
        var arguments = node.Children.Skip(1).ToList();

        // dict(__class__=1): its keys are the keyword names, a known way to write a dunder without a string.
        if (callee.Kind == JinjaNodeKind.Name && callee.Value == "dict" && !_bound.Contains("dict") && arguments.All(a => a.Kind == JinjaNodeKind.Keyword))
        {
            return new List<object> { new FoldedSequence(arguments.Select(a => (object)a.Value!).ToList(), false) };
        }

        if (callee.Kind != JinjaNodeKind.Getattr)
        {
            return null;
        }

        var positional = new List<object>();
        var named = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (JinjaNode arg in arguments)
        {
            if (Fold(arg.Kind == JinjaNodeKind.Keyword ? arg.Children[0] : arg, depth) is not { Count: 1 } one || arg.Kind is JinjaNodeKind.DynArgs or JinjaNodeKind.DynKwargs)
            {
                return null;
            }

            if (arg.Kind == JinjaNodeKind.Keyword)
            {
                named[arg.Value!] = one[0];
            }
            else
            {
                positional.Add(one[0]);
            }
        }

        string method = callee.Value!;
        return Map(Fold(callee.Children[0], depth), value => value is not string s ? null : method switch
        {
            "format" => StrFormat(s, positional, named),
            "join" when positional.Count == 1 => Join(positional[0], s),
            "replace" when positional.Count >= 2 => s.Replace(ToText(positional[0]), ToText(positional[1]), StringComparison.Ordinal),
            "lower" => s.ToLowerInvariant(),
            "upper" => s.ToUpperInvariant(),
            "strip" => positional.Count == 0 ? s.Trim() : s.Trim(ToText(positional[0]).ToCharArray()),
            "lstrip" => positional.Count == 0 ? s.TrimStart() : s.TrimStart(ToText(positional[0]).ToCharArray()),
            "rstrip" => positional.Count == 0 ? s.TrimEnd() : s.TrimEnd(ToText(positional[0]).ToCharArray()),
            "__add__" when positional.Count == 1 => s + ToText(positional[0]),
            _ => null,
        });
    }

    private List<object>? FoldSlice(List<object>? target, JinjaNode slice, int depth)
    {
        long?[] bounds = new long?[3];
        for (int i = 0; i < 3; i++)
        {
            if (slice.Children[i].Kind == JinjaNodeKind.Empty)
            {
                continue;
            }

            if (Fold(slice.Children[i], depth) is not { Count: 1 } one || one[0] is not long n)
            {
                return null;
            }

            bounds[i] = n;
        }

        return Map(target, value =>
        {
            if (Elements(value) is not { } items || bounds[2] == 0)
            {
                return null;
            }

            List<object> picked = PythonSlice(items, bounds[0], bounds[1], bounds[2] ?? 1);
            return value is string ? string.Concat(picked.Select(ToText)) : new FoldedSequence(picked, false);
        });
    }

    private static List<object> PythonSlice(List<object> items, long? start, long? stop, long step)
    {
        long n = items.Count;
        long Clamp(long? v, long fallback, long low, long high) =>
            v is not long x ? fallback : Math.Clamp(x < 0 ? x + n : x, low, high);
        var result = new List<object>();
        if (step > 0)
        {
            for (long i = Clamp(start, 0, 0, n), end = Clamp(stop, n, 0, n); i < end; i += step)
            {
                result.Add(items[(int)i]);
            }
        }
        else
        {
            for (long i = Clamp(start, n - 1, -1, n - 1), end = Clamp(stop, -1, -1, n - 1); i > end; i += step)
            {
                result.Add(items[(int)i]);
            }
        }

        return result;
    }

    private static object? ApplyOperator(string op, object a, object b) => (op, a, b) switch
    {
        ("~", _, _) => Bounded(ToText(a) + ToText(b)),
        ("+", string x, string y) => Bounded(x + y),
        ("+", long x, long y) => x + y,
        ("+", FoldedSequence x, FoldedSequence y) => new FoldedSequence(x.Items.Concat(y.Items).ToList(), x.IsTuple),
        ("*", string x, long y) => Repeat(x, y),
        ("*", long x, string y) => Repeat(y, x),
        ("*", long x, long y) when Math.Abs(x) < 1 << 20 && Math.Abs(y) < 1 << 20 => x * y,
        ("-", long x, long y) => x - y,
        ("%", string x, _) => Printf(x, b is FoldedSequence { IsTuple: true } t ? t.Items.ToList() : new List<object> { b }),
        _ => null,
    };

    private static object? Index(object target, object key) => (target, key) switch
    {
        (string s, long i) when (i < 0 ? i + s.Length : i) is long k && k >= 0 && k < s.Length => s[(int)k].ToString(),
        (FoldedSequence seq, long i) when (i < 0 ? i + seq.Items.Count : i) is long k && k >= 0 && k < seq.Items.Count => seq.Items[(int)k],
        _ => null,
    };

    private static List<object>? Elements(object value) => value switch
    {
        string s => s.Select(c => (object)c.ToString()).ToList(),
        FoldedSequence seq => seq.Items.ToList(),
        _ => null,
    };

    private static object? Join(object value, string separator) =>
        Elements(value) is { } items ? Bounded(string.Join(separator, items.Select(ToText))) : null;

    private static object? Repeat(string s, long count) =>
        count <= 0 ? string.Empty : s.Length * count > MaxFoldedLength ? null : string.Concat(Enumerable.Repeat(s, (int)count));

    private static object? Bounded(string s) => s.Length > MaxFoldedLength ? null : s;

    // printf-style formatting as Python's '%' does it, for the conversions a name can be spelled with.
    private static object? Printf(string format, List<object> args)
    {
        var sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                sb.Append(format[i]);
                continue;
            }

            int j = i + 1;
            while (j < format.Length && (char.IsAsciiDigit(format[j]) || format[j] is '-' or '+' or ' ' or '#' or '.'))
            {
                j++;
            }

            if (j >= format.Length)
            {
                return null;
            }

            char conversion = format[j];
            i = j;
            if (conversion == '%')
            {
                sb.Append('%');
                continue;
            }

            if (next >= args.Count)
            {
                return null;
            }

            object arg = args[next++];
            string? text = conversion switch
            {
                's' => ToText(arg),
                'r' or 'a' => arg is string s ? "'" + s + "'" : ToText(arg),
                'd' or 'i' or 'u' => arg is long n ? n.ToString(CultureInfo.InvariantCulture) : null,
                'c' => arg is long code && code is >= 0 and <= 0x10FFFF ? char.ConvertFromUtf32((int)code) : arg is string { Length: 1 } one ? one : null,
                'x' => arg is long h ? h.ToString("x", CultureInfo.InvariantCulture) : null,
                'X' => arg is long hu ? hu.ToString("X", CultureInfo.InvariantCulture) : null,
                'o' => arg is long o ? Convert.ToString(o, 8) : null,
                _ => null,
            };
            if (text is null)
            {
                return null;
            }

            sb.Append(text);
        }

        return Bounded(sb.ToString());
    }

    // str.format with {}, {0}, {name}, {!r} and the 'c' format spec.
    private static object? StrFormat(string format, List<object> positional, Dictionary<string, object> named)
    {
        var sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c is '{' or '}' && i + 1 < format.Length && format[i + 1] == c)
            {
                sb.Append(c);
                i++;
                continue;
            }

            if (c != '{')
            {
                sb.Append(c);
                continue;
            }

            int close = format.IndexOf('}', i);
            if (close < 0)
            {
                return null;
            }

            string field = format[(i + 1)..close];
            i = close;
            string spec = string.Empty;
            int colon = field.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                spec = field[(colon + 1)..];
                field = field[..colon];
            }

            int bang = field.IndexOf('!', StringComparison.Ordinal);
            string conversion = bang >= 0 ? field[(bang + 1)..] : string.Empty;
            field = bang >= 0 ? field[..bang] : field;
            object? arg = field.Length == 0 ? (auto < positional.Count ? positional[auto++] : null)
                : int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int index) ? (index < positional.Count ? positional[index] : null)
                : named.GetValueOrDefault(field);
            if (arg is null)
            {
                return null;
            }

            if (spec.EndsWith('c'))
            {
                if (arg is not long code || code is < 0 or > 0x10FFFF)
                {
                    return null;
                }

                sb.Append(char.ConvertFromUtf32((int)code));
            }
            else if (spec.Length == 0 || spec == "s")
            {
                sb.Append(conversion == "r" && arg is string s ? "'" + s + "'" : ToText(arg));
            }
            else
            {
                return null;
            }
        }

        return Bounded(sb.ToString());
    }

    private static long? ParseInteger(string text)
    {
        try
        {
            return text.Length > 2 && text[0] == '0' && char.ToLowerInvariant(text[1]) is 'x' or 'o' or 'b'
                ? Convert.ToInt64(text[2..], char.ToLowerInvariant(text[1]) switch { 'x' => 16, 'o' => 8, _ => 2 })
                : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : null;
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            return null;
        }
    }

    private static string ToText(object value) => value switch
    {
        string s => s,
        long n => n.ToString(CultureInfo.InvariantCulture),
        FoldedSequence seq => (seq.IsTuple ? "(" : "[") + string.Join(", ", seq.Items.Select(i => i is string s ? "'" + s + "'" : ToText(i))) + (seq.IsTuple ? ")" : "]"),
        _ => value.ToString() ?? string.Empty,
    };

    private static List<object>? Map(List<object>? values, Func<object, object?> f)
    {
        if (values is null)
        {
            return null;
        }

        var result = new List<object>();
        foreach (object v in values)
        {
            if (f(v) is not { } mapped)
            {
                return null;
            }

            result.Add(mapped);
        }

        return result;
    }

    private static List<object>? Product(List<object>? left, List<object>? right, Func<object, object, object?> f)
    {
        if (left is null || right is null || left.Count * right.Count > MaxAlternatives)
        {
            return null;
        }

        var result = new List<object>();
        foreach (object a in left)
        {
            foreach (object b in right)
            {
                if (f(a, b) is not { } value)
                {
                    return null;
                }

                result.Add(value);
            }
        }

        return result;
    }

    private static List<object>? Union(List<object>? a, List<object>? b)
    {
        if (a is null || b is null || a.Count + b.Count > MaxAlternatives)
        {
            return null;
        }

        return a.Concat(b).ToList();
    }

    // Whether an expression makes a string by an operation (not a plain literal or context variable): the shape of a
    // name being assembled, as in messages['_'*2 ~ 'class' ~ '_'*2].
    private bool IsStringBuilt(JinjaNode node, int depth)
    {
        if (depth > MaxFoldDepth)
        {
            return true;
        }

        return node.Kind switch
        {
            JinjaNodeKind.String => node.Escaped,
            JinjaNodeKind.Binary when node.Value is "~" => true,
            JinjaNodeKind.Binary when node.Value is "%" => node.Children[0].Kind == JinjaNodeKind.String || IsStringBuilt(node.Children[0], depth + 1),
            JinjaNodeKind.Binary when node.Value is "+" or "*" => node.Children.Any(c => c.Kind == JinjaNodeKind.String || IsStringBuilt(c, depth + 1)),
            JinjaNodeKind.Filter when node.Value is "string" or "safe" or "e" => IsStringBuilt(node.Children[0], depth + 1),
            JinjaNodeKind.Filter => node.Value is "join" or "format" or "replace" or "lower" or "upper" or "reverse" or "trim",
            JinjaNodeKind.Call => node.Children[0].Kind == JinjaNodeKind.Getattr && node.Children[0].Value is "format" or "join" or "replace" or "lower" or "upper" or "strip",
            JinjaNodeKind.Name => _folding.Add(node.Value!) && BuiltAssignment(node.Value!, depth),
            _ => false,
        };
    }

    private bool BuiltAssignment(string name, int depth)
    {
        try
        {
            return (_assignments.GetValueOrDefault(name) ?? new List<JinjaNode>()).Any(v => IsStringBuilt(v, depth + 1));
        }
        finally
        {
            _folding.Remove(name);
        }
    }
}
