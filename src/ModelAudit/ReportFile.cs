namespace ModelAudit.Commands;

/// <summary>
/// Writes a report so that readers never see half of it: the bytes go to a temporary file in the same folder (so
/// the final rename stays on one volume and is atomic), which then replaces the target. A cancelled or failed export
/// leaves the old file, or none, never a truncated one.
/// </summary>
internal static class ReportFile
{
    public static void WriteAtomic(string path, byte[] content, bool force)
    {
        string folder = Path.GetDirectoryName(path)!;
        string temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (force && File.Exists(path) && File.GetAttributes(path).HasFlag(FileAttributes.ReadOnly))
            {
                // -Force overwrites a read-only report, as Out-File -Force does.
                File.SetAttributes(path, File.GetAttributes(path) & ~FileAttributes.ReadOnly);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
