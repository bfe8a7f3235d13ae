namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>Checks shared by the detectors: placeholders, randomness, and the character mix of real secrets.</summary>
internal static class SecretText
{
    // Words documentation and templates put where a secret would go; a real token never contains them.
    private static readonly string[] s_placeholderWords =
    {
        "example", "xxxx", "your", "dummy", "sample", "placeholder", "redacted", "changeme", "change_me", "fake",
        "foobar", "insert", "replace", "secret_here", "token_here", "here", "1234567", "abcdef", "******", "....",
    };

    public static bool IsPlaceholder(string value)
    {
        foreach (string word in s_placeholderWords)
        {
            if (value.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return value.Contains('<') || value.Contains("${", StringComparison.Ordinal) || value.Contains("{{", StringComparison.Ordinal)
            || LongestRun(value) >= 5;
    }

    /// <summary>Shannon entropy in bits per character.</summary>
    public static double Entropy(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return 0;
        }

        var counts = new Dictionary<char, int>();
        foreach (char c in value)
        {
            counts[c] = counts.TryGetValue(c, out int n) ? n + 1 : 1;
        }

        double entropy = 0;
        foreach (int n in counts.Values)
        {
            double p = (double)n / value.Length;
            entropy -= p * Math.Log2(p);
        }

        return entropy;
    }

    /// <summary>True for hex strings (hashes, commit ids, hex dumps): checksums are not credentials.</summary>
    public static bool IsHex(ReadOnlySpan<char> value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Number of character classes (lower, upper, digit, other) present.</summary>
    public static int Classes(ReadOnlySpan<char> value)
    {
        bool lower = false, upper = false, digit = false, other = false;
        foreach (char c in value)
        {
            if (char.IsAsciiLetterLower(c))
            {
                lower = true;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                upper = true;
            }
            else if (char.IsAsciiDigit(c))
            {
                digit = true;
            }
            else
            {
                other = true;
            }
        }

        return (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (other ? 1 : 0);
    }

    private static int LongestRun(string value)
    {
        int longest = 0, run = 0;
        for (int i = 0; i < value.Length; i++)
        {
            run = i > 0 && value[i] == value[i - 1] ? run + 1 : 1;
            longest = Math.Max(longest, run);
        }

        return longest;
    }
}
