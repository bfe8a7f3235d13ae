using System.Globalization;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>Item size and object-ness of a NumPy dtype from its type string ('&lt;f4', 'u1', 'O', 'U10', 'S5'…).</summary>
internal static class NumpyDtype
{
    public static (int ItemSize, bool HasObject)? Parse(string? descr)
    {
        if (string.IsNullOrEmpty(descr))
        {
            return null;
        }

        string d = descr.TrimStart('<', '>', '=', '|');
        if (d.Length == 0)
        {
            return null;
        }

        char kind = d[0];
        string digits = d[1..];
        if (kind == 'O')
        {
            return (8, true);
        }

        if (digits.Length == 0)
        {
            return kind switch
            {
                '?' or 'b' or 'B' => (1, false),
                'h' or 'H' or 'e' => (2, false),
                'i' or 'I' or 'f' or 'l' or 'L' => (4, false),
                'q' or 'Q' or 'd' or 'g' => (8, false),
                _ => null,
            };
        }

        if (digits.Contains('['))
        {
            digits = digits[..digits.IndexOf('[')]; // datetime units: 'M8[ns]'
        }

        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 0)
        {
            return null;
        }

        return kind switch
        {
            'b' or 'i' or 'u' or 'f' or 'c' or 'M' or 'm' or 'S' or 'a' or 'V' => (n, false),
            'U' => (4 * n, false),
            _ => null,
        };
    }
}
