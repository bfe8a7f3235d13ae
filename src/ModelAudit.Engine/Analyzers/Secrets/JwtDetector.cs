using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>
/// JSON Web Tokens: three base64url parts whose first decodes to a JSON header with an "alg". The jwt.io sample
/// token that documentation copies is skipped.
/// </summary>
internal sealed partial class JwtDetector : PatternDetector
{
    // The signature of jwt.io's example token (HS256, "John Doe"), pasted into countless READMEs.
    private const string JwtIoSampleSignature = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    protected override Regex Pattern => Token();

    protected override string Kind => "JSON Web Token";

    protected override string ShownPrefix(string value) => "eyJ";

    protected override bool IsValid(string value)
    {
        if (value.EndsWith(JwtIoSampleSignature, StringComparison.Ordinal))
        {
            return false;
        }

        string header = value[..value.IndexOf('.')];
        try
        {
            string padded = header.Replace('-', '+').Replace('_', '/') + new string('=', (4 - header.Length % 4) % 4);
            using JsonDocument json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(padded)));
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("alg", out _);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{10,500}\.eyJ[A-Za-z0-9_-]{10,4000}\.[A-Za-z0-9_-]{20,1000}", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
