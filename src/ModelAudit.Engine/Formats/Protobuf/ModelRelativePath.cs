namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>
/// Judges a relative path stored in a model lexically, the same on every OS: both '/' and '\' separate segments
/// (Windows loaders accept either), and a drive letter or UNC prefix is absolute wherever the scan runs.
/// </summary>
internal static class ModelRelativePath
{
    public static LocationEscape Classify(string location)
    {
        if (location.Length == 0)
        {
            return LocationEscape.None;
        }

        if (location[0] is '/' or '\\' || (location.Length >= 2 && char.IsAsciiLetter(location[0]) && location[1] == ':'))
        {
            return LocationEscape.Absolute;
        }

        int depth = 0;
        bool descended = false;
        foreach (string segment in location.Split('/', '\\'))
        {
            if (segment == "..")
            {
                if (--depth < 0)
                {
                    return descended ? LocationEscape.NestedTraversal : LocationEscape.LeadingTraversal;
                }
            }
            else if (segment is not ("" or "."))
            {
                depth++;
                descended = true;
            }
        }

        return LocationEscape.None;
    }
}
