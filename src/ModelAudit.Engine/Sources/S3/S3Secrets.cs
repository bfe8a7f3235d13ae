using Amazon.Runtime;

namespace ModelAudit.Engine.Sources.S3;

/// <summary>
/// The key material one source signs with, kept only to strike it from any text that leaves the source. A store's
/// error message can quote the access key id (InvalidAccessKeyId) and a proxy's can quote anything.
/// </summary>
internal sealed class S3Secrets
{
    private readonly string[] _values;

    public S3Secrets(ImmutableCredentials? credentials, bool anonymous)
    {
        Anonymous = anonymous;
        _values = credentials is null
            ? Array.Empty<string>()
            : new[] { credentials.SecretKey, credentials.Token, credentials.AccessKey }.Where(v => !string.IsNullOrEmpty(v)).ToArray();
    }

    /// <summary>True when no credentials were found and requests go unsigned (public buckets).</summary>
    public bool Anonymous { get; }

    /// <summary>Said after "access denied" when the request was unsigned, so the cause is plain.</summary>
    public string AnonymousNote => Anonymous ? " to an unsigned request: no AWS credentials were found (environment, profile, -Credential)" : string.Empty;

    /// <summary><paramref name="text"/> with every key replaced by <c>***</c>.</summary>
    public string Redact(string? text)
    {
        string result = text ?? string.Empty;
        foreach (string value in _values)
        {
            result = result.Replace(value, "***", StringComparison.Ordinal);
        }

        return result;
    }
}
