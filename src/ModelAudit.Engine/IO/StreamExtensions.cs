namespace ModelAudit.Engine.IO;

/// <summary>Small stream helpers shared by scanners.</summary>
internal static class StreamExtensions
{
    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the count read.</summary>
    public static int ReadAtMost(this Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>Moves forward <paramref name="count"/> bytes: by seek when possible, else by reading. Returns bytes skipped.</summary>
    public static long Skip(this Stream stream, long count, CancellationToken cancellationToken = default)
    {
        if (count <= 0)
        {
            return 0;
        }

        if (stream.CanSeek)
        {
            long available = Math.Max(0, stream.Length - stream.Position);
            long moved = Math.Min(count, available);
            stream.Seek(moved, SeekOrigin.Current);
            return moved;
        }

        byte[] scratch = new byte[81920];
        long skipped = 0;
        while (skipped < count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int read = stream.Read(scratch, 0, (int)Math.Min(scratch.Length, count - skipped));
            if (read == 0)
            {
                break;
            }

            skipped += read;
        }

        return skipped;
    }
}
