using ModelAudit.Engine.Rules;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>
/// Generic <c>key = value</c> / <c>"key": "value"</c> assignments (INI, TOML, YAML, JSON, .env, .aws/credentials,
/// Python) whose key names a credential and whose value looks random. Both gates must hold: tokenizer configs are
/// full of "*_token" keys with short marker values, and configs are full of long hex hashes.
/// </summary>
internal sealed class CredentialAssignmentDetector : ISecretDetector
{
    // Real secrets of 16+ characters drawn at random score well above 3.5 bits per character; identifiers,
    // words and repeated patterns score below.
    private const double MinEntropy = 3.5;

    // Keys longer than this are prose or data, not configuration names.
    private const int MaxKeyLength = 60;

    // Shorter values are too guessable to be API secrets and too common to report; longer ones are blobs.
    private const int MinValueLength = 16;
    private const int MaxValueLength = 128;

    // Words that start the search for a key (lower case); IsCredentialKey then judges the whole key.
    private static readonly string[] s_credentialWords = { "pass", "pwd", "secret", "token", "apikey", "api_key", "api-key", "accesskey", "access_key", "privatekey", "private_key", "credential" };

    // A text with more credential words than this is a word list; the first ones are checked.
    private const int MaxWordHits = 10_000;

    // Credential words a key must end with (after splitting on _ - . and case changes).
    private static readonly string[] s_credentialEndings =
    {
        "password", "passwd", "pwd", "passphrase", "secret", "secretkey", "apikey", "accesskey", "privatekey", "clientsecret",
        "authtoken", "accesstoken", "refreshtoken", "apitoken", "bearertoken", "sessiontoken", "token", "credential", "credentials",
    };

    // Keys that end like a credential but hold tokenizer markers, counts or ids.
    private static readonly string[] s_notCredentials =
    {
        "pad_token", "bos_token", "eos_token", "unk_token", "sep_token", "cls_token", "mask_token", "additional_special_tokens",
        "image_token", "audio_token", "video_token", "boi_token", "eoi_token", "start_token", "end_token", "prefix_token",
        "suffix_token", "middle_token", "eot_token", "fim_token",
    };

    // Values with a provider prefix are judged by that provider's detector (a GitHub token with a bad checksum is
    // not a credential just because it is assigned to "token").
    private static readonly string[] s_providerPrefixes = { "gh", "github_pat_", "hf_", "api_org_", "sk-", "sk_", "rk_", "AKIA", "ASIA", "xox", "xapp-", "AIza", "eyJ" };

    public IEnumerable<SecretHit> Find(string text)
    {
        // Find the credential word first (a literal search), then read the key around it and the value after it:
        // one regex over every identifier of a megabyte of vocabulary costs seconds.
        int hits = 0;
        // Lower-cased once (same length, char by char) so the word search is a case-sensitive literal search.
        string lower = text.ToLowerInvariant();
        int lastKeyStart = -1;
        foreach (var (index, length) in WordHits(lower))
        {
            if (hits >= 20)
            {
                yield break;
            }

            int keyStart = index;
            while (keyStart > 0 && index - keyStart < MaxKeyLength && IsKeyChar(text[keyStart - 1]))
            {
                keyStart--;
            }

            // "api_key_password": one key, however many credential words it holds.
            if (keyStart == lastKeyStart)
            {
                continue;
            }

            lastKeyStart = keyStart;
            int keyEnd = index + length;
            while (keyEnd < text.Length && keyEnd - keyStart < MaxKeyLength && IsKeyChar(text[keyEnd]))
            {
                keyEnd++;
            }

            if (ValueAfter(text, keyEnd) is not var (valueStart, valueLength))
            {
                continue;
            }

            string key = text[keyStart..keyEnd];
            string value = text.Substring(valueStart, valueLength);
            if (!IsCredentialKey(key) || !LooksRandom(value))
            {
                continue;
            }

            hits++;
            yield return new SecretHit(RuleIds.CredentialAssignment, $"value of '{key}'", valueStart, key + "=", value);
        }
    }

    // Every occurrence of every credential word, in text order: one vectorised IndexOf pass per word is far
    // cheaper than a regex whose possible first letters are among the most common ones.
    private static IEnumerable<(int Index, int Length)> WordHits(string lower)
    {
        var found = new List<(int Index, int Length)>();
        foreach (string word in s_credentialWords)
        {
            for (int at = lower.IndexOf(word, StringComparison.Ordinal); at >= 0 && found.Count < MaxWordHits; at = lower.IndexOf(word, at + word.Length, StringComparison.Ordinal))
            {
                found.Add((at, word.Length));
            }
        }

        return found.OrderBy(h => h.Index);
    }

    // After the key: an optional closing quote, "=", ":" or "=>", an optional opening quote, then the value up to a
    // quote, white space, separator or the end.
    private static (int Start, int Length)? ValueAfter(string text, int i)
    {
        if (i < text.Length && text[i] is '"' or '\'')
        {
            i++;
        }

        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }

        if (i + 1 < text.Length && text[i] == '=' && text[i + 1] == '>')
        {
            i += 2;
        }
        else if (i < text.Length && text[i] is '=' or ':')
        {
            i++;
        }
        else
        {
            return null;
        }

        while (i < text.Length && text[i] is ' ' or '\t' or '"' or '\'')
        {
            i++;
        }

        int start = i;
        while (i < text.Length && i - start <= MaxValueLength && IsValueChar(text[i]))
        {
            i++;
        }

        int length = i - start;
        bool terminated = i == text.Length || text[i] is '"' or '\'' or ',' or ';' or '}' or ']' || char.IsWhiteSpace(text[i]);
        return terminated && length is >= MinValueLength and <= MaxValueLength ? (start, length) : null;
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';

    private static bool IsValueChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '_' or '-' or '.' or '~' or '!' or '@' or '#' or '%' or '^' or '&' or '*';

    public static bool IsCredentialKey(string key)
    {
        string lower = key.ToLowerInvariant();
        if (s_notCredentials.Any(k => lower.EndsWith(k, StringComparison.Ordinal)) || lower.EndsWith("_id", StringComparison.Ordinal))
        {
            return false;
        }

        string compact = lower.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        int dot = compact.LastIndexOf('.');
        string last = dot >= 0 ? compact[(dot + 1)..] : compact;
        return s_credentialEndings.Any(e => last.EndsWith(e, StringComparison.Ordinal));
    }

    public static bool LooksRandom(string value) =>
        value.Length is >= MinValueLength and <= MaxValueLength
        && !SecretText.IsHex(value)
        && !SecretText.IsPlaceholder(value)
        && SecretText.Classes(value) >= 3
        && SecretText.Entropy(value) >= MinEntropy
        && !value.Contains("__", StringComparison.Ordinal)
        && !value.StartsWith("http", StringComparison.OrdinalIgnoreCase)
        && !s_providerPrefixes.Any(p => value.StartsWith(p, StringComparison.Ordinal) && (p != "gh" || value.Length > 3 && value[3] == '_'));

}
