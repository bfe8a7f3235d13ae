using System.Security.Cryptography;
using System.Text;

namespace ModelAudit.Engine.Scanning;

/// <summary>
/// A finding's stable identity within its file: SHA-256 over the rule id, member path, evidence and the occurrence
/// number of that triple (in scan order, which is deterministic). Messages and offsets are left out on purpose, so
/// rewording a message or re-saving a file with shifted offsets keeps baselines valid. The "v1" prefix versions it.
/// </summary>
internal static class FindingFingerprint
{
    public static string Of(string ruleId, string? member, string? evidence, int occurrence)
    {
        string text = $"v1\n{ruleId}\n{member}\n{evidence}\n{occurrence}";
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexString(hash[..16]).ToLowerInvariant();
    }
}
