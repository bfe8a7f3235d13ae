using System.Globalization;

namespace ModelAudit.Engine.Formats.Keras;

/// <summary>The Keras version recorded in a file (metadata.json, the H5 keras_version attribute, to_json's
/// keras_version), compared numerically; suffixes such as ".dev2024" or "-tf" are ignored.</summary>
internal readonly record struct KerasVersion(int Major, int Minor, int Patch) : IComparable<KerasVersion>
{
    public static KerasVersion? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var parts = new int[3];
        int count = 0;
        foreach (string part in text.Trim().Split('.'))
        {
            int digits = 0;
            while (digits < part.Length && char.IsAsciiDigit(part[digits]))
            {
                digits++;
            }

            // Nine digits fit an int; a longer "version" is not one a Keras release ever wrote.
            if (digits == 0 || digits > 9 || count == 3)
            {
                break;
            }

            parts[count++] = int.Parse(part.AsSpan(0, digits), CultureInfo.InvariantCulture);
            if (digits < part.Length)
            {
                break;
            }
        }

        return count >= 2 ? new KerasVersion(parts[0], parts[1], parts[2]) : null;
    }

    public int CompareTo(KerasVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor != other.Minor ? Minor.CompareTo(other.Minor) : Patch.CompareTo(other.Patch);

    public static bool operator <(KerasVersion a, KerasVersion b) => a.CompareTo(b) < 0;

    public static bool operator >(KerasVersion a, KerasVersion b) => a.CompareTo(b) > 0;

    public static bool operator <=(KerasVersion a, KerasVersion b) => a.CompareTo(b) <= 0;

    public static bool operator >=(KerasVersion a, KerasVersion b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Major}.{Minor}.{Patch}";
}
