using System.Text.RegularExpressions;
using ModelAudit.Engine.Rules;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>
/// Generic <c>key = value</c> / <c>"key": "value"</c> assignments (INI, TOML, YAML, JSON, .env, .aws/credentials,
/// Python) whose key names a credential and whose value looks random. Both gates must hold: tokenizer configs are
/// full of "*_token" keys with short marker values, and configs are full of long hex hashes.
/// </summary>
internal sealed partial class CredentialAssignmentDetector : ISecretDetector
{
    // Real secrets of 16+ characters drawn at random score well above 3.5 bits per character; identifiers,
    // words and repeated patterns score below.
    private const double MinEntropy = 3.5;

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
        int hits = 0;
        for (Match m = Assignment().Match(text); m.Success && hits < 20; m = m.NextMatch())
        {
            string key = m.Groups["key"].Value;
            string value = m.Groups["value"].Value;
            if (!IsCredentialKey(key) || !LooksRandom(value))
            {
                continue;
            }

            hits++;
            yield return new SecretHit(RuleIds.CredentialAssignment, $"value of '{key}'", m.Groups["value"].Index, key + "=", value);
        }
    }

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
        value.Length is >= 16 and <= 128
        && !SecretText.IsHex(value)
        && !SecretText.IsPlaceholder(value)
        && SecretText.Classes(value) >= 3
        && SecretText.Entropy(value) >= MinEntropy
        && !value.Contains("__", StringComparison.Ordinal)
        && !value.StartsWith("http", StringComparison.OrdinalIgnoreCase)
        && !s_providerPrefixes.Any(p => value.StartsWith(p, StringComparison.Ordinal) && (p != "gh" || value.Length > 3 && value[3] == '_'));

    [GeneratedRegex(@"(?<![A-Za-z0-9_.-])(?<key>[A-Za-z_][A-Za-z0-9_.-]{1,60})[""']?[ \t]*(?:=|:|=>)[ \t]*[""']?(?<value>[A-Za-z0-9+/=_\-.~!@#%^&*]{16,128})(?=[""'\s,;}\]]|$)",
        RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex Assignment();
}
