using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.IO;

/// <summary>
/// Formats indexed from their end (zip, 7z) need a seekable stream. A top-level file already is one; a nested
/// archive inside a compressed member is copied to memory, up to <see cref="ScanLimits.MaxBufferedArchiveBytes"/>
/// per copy and <see cref="ScanLimits.MaxBufferedBytesHeld"/> for the copies held at once by the levels of one
/// file (a zip in a tar.gz in a zip … holds one copy per level), and past either bound is not scanned (reported
/// Inconclusive, never Clean). A copy is released when the member it was made for has been scanned.
/// </summary>
internal static class SeekableCopy
{
    public static Stream Of(Stream stream, string what, ScanContext context)
    {
        if (stream.CanSeek)
        {
            return stream;
        }

        ScanLimits limits = context.Limits;
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

            if (context.File.BufferedBytesHeld + read > limits.MaxBufferedBytesHeld)
            {
                throw new ScanLimitExceededException(nameof(ScanLimits.MaxBufferedBytesHeld),
                    $"a nested {what} would take the copies held by the enclosing levels past {limits.MaxBufferedBytesHeld:N0} bytes; not scanned");
            }

            context.File.HoldBuffered(context.Depth, read);
            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        return buffer;
    }
}
