using System.Numerics;
using ModelAudit.Engine.Formats.Pickle;

namespace ModelAudit.Engine.Formats.NumPy;

/// <summary>
/// What a .npy <c>descr</c> means, following numpy's <c>descr_to_dtype</c>: a type string, a (base, shape) subarray
/// tuple, or a list of (name, descr[, shape]) fields. Object-ness is decided first and fails closed: any type string
/// naming 'O' or 'object' is an object type, whatever else it says.
/// </summary>
internal readonly record struct NumPyDescr(BigInteger? ItemSize, bool HasObject, bool Plain, string Shown)
{
    // Structured dtypes nest (a field of a field of …); numpy's own headers nest a few levels.
    private const int MaxDepth = 32;

    /// <summary>The dtype of <paramref name="descr"/>, or null when numpy's descr_to_dtype would reject it.</summary>
    public static NumPyDescr? From(PyLiteral descr, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        switch (descr.Kind)
        {
            case PyLiteralKind.Str:
                return FromTypeString(descr.Text, descr.Plain);
            case PyLiteralKind.Tuple when descr.Items.Count == 2 && From(descr.Items[0], depth + 1) is { } inner && Count(descr.Items[1]) is { } count:
                return inner with { ItemSize = inner.ItemSize * count, Shown = $"({inner.Shown}, {count})" };
            case PyLiteralKind.List:
                BigInteger? size = 0;
                bool hasObject = false, plain = true;
                foreach (PyLiteral field in descr.Items)
                {
                    if (field.Kind is not (PyLiteralKind.Tuple or PyLiteralKind.List) || field.Items.Count is not (2 or 3)
                        || From(field.Items[1], depth + 1) is not { } type)
                    {
                        return null;
                    }

                    BigInteger? repeat = field.Items.Count == 3 ? Count(field.Items[2]) : 1;
                    if (repeat is null)
                    {
                        return null;
                    }

                    size = size is { } s && type.ItemSize is { } t ? s + t * repeat.Value : null;
                    hasObject |= type.HasObject;
                    plain &= type.Plain;
                }

                return new NumPyDescr(size, hasObject, plain, hasObject ? "structured dtype with an object field" : "structured dtype");
            default:
                return null;
        }
    }

    // A subarray shape: an int or a tuple of ints.
    private static BigInteger? Count(PyLiteral shape)
    {
        if (shape.IsInteger)
        {
            return shape.Integer >= 0 ? shape.Integer : null;
        }

        if (shape.Kind != PyLiteralKind.Tuple)
        {
            return null;
        }

        BigInteger product = 1;
        foreach (PyLiteral d in shape.Items)
        {
            if (!d.IsInteger || d.Integer < 0)
            {
                return null;
            }

            product *= d.Integer;
        }

        return product;
    }

    private static NumPyDescr FromTypeString(string text, bool plain)
    {
        if (text.Contains('O') || text.Contains("object", StringComparison.OrdinalIgnoreCase))
        {
            return new NumPyDescr(null, true, plain, text);
        }

        return new NumPyDescr(ItemSizeOf(text), false, plain, text);
    }

    // numpy.dtype(str): a comma-separated list ('i4,f8', '(2,3)f4', '3u1') is a structured type of its parts.
    private static BigInteger? ItemSizeOf(string text)
    {
        string t = text.Trim();
        if (t.Length == 0)
        {
            return null;
        }

        if (t.Contains(',') && !t.StartsWith('('))
        {
            BigInteger total = 0;
            foreach (string part in t.Split(','))
            {
                if (ItemSizeOf(part) is not { } size)
                {
                    return null;
                }

                total += size;
            }

            return total;
        }

        BigInteger repeat = 1;
        if (t.StartsWith('('))
        {
            int close = t.IndexOf(')');
            if (close < 0)
            {
                return null;
            }

            foreach (string d in t[1..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!BigInteger.TryParse(d, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out BigInteger n))
                {
                    return null;
                }

                repeat *= n;
            }

            t = t[(close + 1)..].Trim();
        }
        else if (t.Length > 0 && char.IsAsciiDigit(t[0]))
        {
            int digits = 0;
            while (digits < t.Length && char.IsAsciiDigit(t[digits]))
            {
                digits++;
            }

            repeat = BigInteger.Parse(t[..digits], System.Globalization.CultureInfo.InvariantCulture);
            t = t[digits..];
        }

        int? item = s_names.TryGetValue(t, out int named) ? named : NumpyDtype.Parse(t)?.ItemSize;
        return item is { } i ? repeat * i : null;
    }

    // Type names numpy.dtype accepts besides type codes (np.sctypeDict), with their sizes on 64-bit platforms.
    private static readonly Dictionary<string, int> s_names = new(StringComparer.Ordinal)
    {
        ["bool"] = 1, ["bool_"] = 1, ["int8"] = 1, ["uint8"] = 1, ["byte"] = 1, ["ubyte"] = 1,
        ["int16"] = 2, ["uint16"] = 2, ["short"] = 2, ["ushort"] = 2, ["float16"] = 2, ["half"] = 2,
        ["int32"] = 4, ["uint32"] = 4, ["intc"] = 4, ["uintc"] = 4, ["float32"] = 4, ["single"] = 4,
        ["int64"] = 8, ["uint64"] = 8, ["int"] = 8, ["int_"] = 8, ["intp"] = 8, ["uintp"] = 8, ["long"] = 8, ["ulong"] = 8,
        ["longlong"] = 8, ["ulonglong"] = 8, ["float64"] = 8, ["float"] = 8, ["double"] = 8, ["float_"] = 8,
        ["complex64"] = 8, ["csingle"] = 8, ["complex128"] = 16, ["complex"] = 16, ["cdouble"] = 16, ["complex_"] = 16,
        ["longdouble"] = 16, ["float128"] = 16, ["clongdouble"] = 32, ["complex256"] = 32,
    };
}
