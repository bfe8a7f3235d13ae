namespace ModelAudit.Engine.Analyzers.Versions;

/// <summary>
/// A release number compared by its numeric parts (2.5.1+cu121 → 2.5.1; 2.6.0rc1 → 2.6.0, taken as the release it
/// precedes only loosely, which errs toward reporting). Missing parts are zero.
/// </summary>
internal readonly record struct PackageVersion(int Major, int Minor, int Patch) : IComparable<PackageVersion>
{
    public static PackageVersion? Parse(string text)
    {
        var parts = new int[3];
        int part = 0, i = 0;
        text = text.Trim().TrimStart('v', 'V');
        if (text.Length == 0 || !char.IsAsciiDigit(text[0]))
        {
            return null;
        }

        while (i < text.Length && part < 3)
        {
            int start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            // Version parts beyond int range are not versions anyone published.
            if (i == start || i - start > 6)
            {
                break;
            }

            parts[part++] = int.Parse(text.AsSpan(start, i - start), System.Globalization.CultureInfo.InvariantCulture);
            if (i < text.Length && text[i] == '.')
            {
                i++;
            }
            else
            {
                break;
            }
        }

        return part == 0 ? null : new PackageVersion(parts[0], parts[1], parts[2]);
    }

    public int CompareTo(PackageVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor != other.Minor ? Minor.CompareTo(other.Minor) : Patch.CompareTo(other.Patch);

    public override string ToString() => $"{Major}.{Minor}.{Patch}";
}
