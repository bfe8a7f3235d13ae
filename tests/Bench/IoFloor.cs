using System.Security.Cryptography;

namespace ModelAudit.Bench;

/// <summary>
/// The physical limit a scan is compared with, measured in the same run on the same file: a plain sequential read of
/// the bytes the scan needed, and SHA-256 of the whole file (what a hashed scan cannot do better than).
/// </summary>
internal static class IoFloor
{
    // The block size of both floors: large enough that syscalls cost nothing beside the copy.
    private const int Block = 1 << 20;

    /// <summary>Reads the first <paramref name="bytes"/> bytes of the file front to back.</summary>
    public static void Read(string path, long bytes)
    {
        byte[] buffer = new byte[Block];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        long left = Math.Min(bytes, file.Length);
        while (left > 0)
        {
            int read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
            {
                break;
            }

            left -= read;
        }
    }

    /// <summary>SHA-256 of each file in turn, one thread (a folder's floor is the sum of its files').</summary>
    public static void Hash(IEnumerable<string> paths)
    {
        byte[] buffer = new byte[Block];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string path in paths)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            int read;
            while ((read = file.Read(buffer, 0, buffer.Length)) > 0)
            {
                sha.AppendData(buffer, 0, read);
            }

            sha.GetHashAndReset();
        }
    }
}
