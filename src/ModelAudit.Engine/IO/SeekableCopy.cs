using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.IO;

/// <summary>
/// Formats indexed from their end (zip, 7z) need a seekable stream. A top-level file already is one; a nested
/// archive inside a compressed member is copied to memory, up to <see cref="ScanLimits.MaxBufferedArchiveBytes"/>,
/// and past the bound is not scanned (reported Inconclusive, never Clean).
/// </summary>
internal static class SeekableCopy
{
    public static Stream Of(Stream stream, string what, ScanLimits limits)
    {
        if (stream.CanSeek)
        {
            return stream;
        }

        var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > limits.MaxBufferedArchiveBytes)
            {
                throw new ScanLimitExceededException(nameof(ScanLimits.MaxBufferedArchiveBytes),
                    $"a nested {what} larger than {limits.MaxBufferedArchiveBytes:N0} bytes inside a compressed stream is not scanned");
            }

            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        return buffer;
    }
}
