namespace ModelAudit.Engine.Sources.S3;

/// <summary>
/// An <c>s3://bucket[/prefix]</c> reference. The prefix is taken literally, as the AWS CLI does (S3 keys are not
/// URL-escaped): <c>s3://bucket/models/</c> is a folder, <c>s3://bucket/models/a.pkl</c> is that object, or the
/// folder of that name when no object has it.
/// </summary>
public sealed record S3Location(string Bucket, string Prefix)
{
    /// <summary>The URI results carry as their path.</summary>
    public string DisplayFor(string key) => $"s3://{Bucket}/{key}";

    /// <summary>True when the key is the object named, or lies under the prefix as a folder.</summary>
    public bool Covers(string key) => Prefix.Length == 0 || Prefix.EndsWith('/') ? key.StartsWith(Prefix, StringComparison.Ordinal)
        : key == Prefix || key.StartsWith(Prefix + "/", StringComparison.Ordinal);

    /// <summary>Parses <paramref name="text"/>; null when it is not an s3:// URI with a valid bucket name.</summary>
    public static S3Location? TryParse(string text)
    {
        const string scheme = "s3://";
        if (!text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string rest = text[scheme.Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string bucket = slash < 0 ? rest : rest[..slash];
        string prefix = slash < 0 ? string.Empty : rest[(slash + 1)..];
        return IsBucketName(bucket) ? new S3Location(bucket, prefix) : null;
    }

    // S3's rules (3-63 characters, letters, digits, dots and hyphens, starting and ending with a letter or digit);
    // upper case and underscores are allowed because buckets made before 2018 in us-east-1 may have them.
    private static bool IsBucketName(string bucket) => bucket.Length is >= 3 and <= 63
        && char.IsAsciiLetterOrDigit(bucket[0]) && char.IsAsciiLetterOrDigit(bucket[^1])
        && bucket.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}
