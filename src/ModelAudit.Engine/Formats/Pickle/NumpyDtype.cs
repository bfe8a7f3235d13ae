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
            // Bare type codes name C types; sizes are those of the LP64 platforms (Linux, macOS on x86-64 and arm64)
            // numpy writes from, as the type-name table in NumPyDescr assumes: C long is 8 bytes there, and long
            // double ('g') is the 80-bit x87 type padded to 16 bytes (np.dtype('g').itemsize == 16).
            return kind switch
            {
                '?' or 'b' or 'B' => (1, false),
                'h' or 'H' or 'e' => (2, false),
                'i' or 'I' or 'f' => (4, false),
                'l' or 'L' or 'q' or 'Q' or 'p' or 'P' or 'd' or 'F' => (8, false),
                'g' or 'D' => (16, false),
                'G' => (32, false),
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
