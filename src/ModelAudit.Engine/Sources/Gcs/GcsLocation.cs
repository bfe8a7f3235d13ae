namespace ModelAudit.Engine.Sources.Gcs;

/// <summary>A Google Cloud Storage location, <c>gs://bucket[/prefix]</c>: a bucket and an object name or folder prefix in it.</summary>
public sealed record GcsLocation(string Bucket, string Prefix)
{
    /// <summary>The display URI of an object in the bucket; results carry it as their path.</summary>
    public static string DisplayFor(string bucket, string name) => $"gs://{bucket}/{name}";

    /// <summary>Parses <c>gs://bucket[/prefix]</c>; null when <paramref name="text"/> is not one.</summary>
    public static GcsLocation? TryParse(string text)
    {
        if (!text.StartsWith("gs://", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string rest = text["gs://".Length..];
        int slash = rest.IndexOf('/');
        string bucket = slash < 0 ? rest : rest[..slash];
        string prefix = slash < 0 ? string.Empty : rest[(slash + 1)..];

        // Bucket names are 3-222 characters of lower-case letters, digits, '-', '_' and '.'.
        bool validBucket = bucket.Length is >= 3 and <= 222
            && bucket.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.');
        return validBucket ? new GcsLocation(bucket, prefix) : null;
    }
}
