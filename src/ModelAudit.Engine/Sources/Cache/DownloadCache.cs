using System.Security.Cryptography;
using System.Text;

namespace ModelAudit.Engine.Sources.Cache;

/// <summary>
/// A folder of whole remote objects, each named by the SHA-256 of its canonical URI and the store's version identity
/// (ETag, GCS md5/generation, Hub LFS oid or blob oid, Artifactory sha256). A new version is a new name, so a changed
/// object is a miss, never a stale hit; an object the store gives no version identity is not cached at all.
/// </summary>
public sealed class DownloadCache
{
    /// <summary>The variable that turns the cache on when -CacheDirectory is not given.</summary>
    public const string DirectoryVariable = "MODELAUDIT_CACHE_DIR";

    public DownloadCache(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The cache folder (full path).</summary>
    public string Directory { get; }

    /// <summary>The cache to use: none with -NoCache, else -CacheDirectory, else MODELAUDIT_CACHE_DIR, else none
    /// (a scan leaves nothing behind unless asked to).</summary>
    public static DownloadCache? Resolve(string? cacheDirectory, bool noCache)
    {
        if (noCache)
        {
            return null;
        }

        string? directory = string.IsNullOrWhiteSpace(cacheDirectory) ? Environment.GetEnvironmentVariable(DirectoryVariable) : cacheDirectory;
        return string.IsNullOrWhiteSpace(directory) ? null : new DownloadCache(directory);
    }

    /// <summary>Where the entry for <paramref name="uri"/> at <paramref name="version"/> is kept.</summary>
    public string EntryPathFor(string uri, string version)
    {
        // The NUL cannot occur in either part, so no (uri, version) pair shares its key with another.
        byte[] key = SHA256.HashData(Encoding.UTF8.GetBytes(uri + "\0" + version));
        return Path.Combine(Directory, Convert.ToHexString(key).ToLowerInvariant());
    }

    /// <summary><paramref name="inner"/> read through this cache, or <paramref name="inner"/> itself when the store
    /// gave no version identity (nothing would tell a changed object from the cached one).</summary>
    public IRangeReader Wrap(IRangeReader inner, string uri, string? version, string? publishedSha256) =>
        string.IsNullOrEmpty(version) || inner.Length == 0
            ? inner
            : new CachingRangeReader(inner, EntryPathFor(uri, version), publishedSha256);
}
