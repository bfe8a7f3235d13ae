namespace ModelAudit.Engine.Containers;

/// <summary>Whether an archive member name or link target escapes the extraction root, on any OS's reading of it.</summary>
internal static class ArchivePaths
{
    // Characters that some tools or file systems fold into '.' or '/' (fullwidth, one-dot leaders, division slash…).
    private static readonly Dictionary<char, char> s_lookAlikes = new()
    {
        ['\uFF0E'] = '.', ['\u2024'] = '.', ['\uFE52'] = '.', ['\u2215'] = '/', ['\u2044'] = '/', ['\uFF0F'] = '/',
        ['\u29F8'] = '/', ['\uFF3C'] = '/', ['\u2216'] = '/', ['\\'] = '/',
    };

    private static readonly string[] s_sensitive =
    {
        "/etc/", "/root/", "/home/", "/proc/", "/sys/", "/dev/", "/var/", "/usr/", "/bin/", "/boot/", "~/", ".ssh/", ".bashrc",
        ".profile", "windows/", "system32", "appdata/", "programdata/", ".aws/", ".kube/", ".docker/", ".config/",
    };

    /// <summary>Why <paramref name="name"/> escapes, or null when it stays inside the root.</summary>
    public static string? Escape(string name)
    {
        if (name.Length == 0)
        {
            return null;
        }

        string normalized = Normalize(name);
        if (normalized.StartsWith('/'))
        {
            return "absolute path";
        }

        if (normalized.Length >= 2 && char.IsAsciiLetter(normalized[0]) && normalized[1] == ':')
        {
            return "drive-letter path";
        }

        int depth = 0;
        foreach (string part in normalized.Split('/'))
        {
            if (part == "..")
            {
                if (--depth < 0)
                {
                    return normalized == name.Replace('\\', '/') ? "'..' climbs above the root" : "'..' (after look-alike or backslash folding) climbs above the root";
                }
            }
            else if (part.Length > 0 && part != ".")
            {
                depth++;
            }
        }

        return null;
    }

    /// <summary>Why a link from <paramref name="member"/> to <paramref name="target"/> is dangerous, or null.</summary>
    public static string? LinkEscape(string member, string target)
    {
        string t = Normalize(target);
        string lower = t.ToLowerInvariant();
        if (s_sensitive.Any(s => lower.Contains(s, StringComparison.Ordinal)))
        {
            return $"points at a sensitive path ({target})";
        }

        if (t.StartsWith('/') || (t.Length >= 2 && char.IsAsciiLetter(t[0]) && t[1] == ':'))
        {
            return $"points outside the archive ({target})";
        }

        string directory = member.Contains('/') ? member[..member.LastIndexOf('/')] : "";
        return Escape(directory.Length == 0 ? t : directory + "/" + t) is null ? null : $"climbs out of the archive ({target})";
    }

    private static string Normalize(string name)
    {
        char[] chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (s_lookAlikes.TryGetValue(chars[i], out char folded))
            {
                chars[i] = folded;
            }
        }

        return new string(chars);
    }
}
