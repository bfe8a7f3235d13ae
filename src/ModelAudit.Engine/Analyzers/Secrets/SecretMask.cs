using System.Security.Cryptography;
using System.Text;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>
/// What a finding shows of a secret: its public prefix (the part every such token shares) and a fingerprint, so two
/// findings of the same secret can be matched and the owner can find it, while nothing of the value is disclosed.
/// </summary>
internal static class SecretMask
{
    public static string Mask(string shownPrefix, string value) => shownPrefix + "…#" + Fingerprint(value);

    // Eight hex digits of SHA-256: enough to tell secrets apart, far too little to recover or brute-force one.
    public static string Fingerprint(string value) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)), 0, 4).ToLowerInvariant();
}
