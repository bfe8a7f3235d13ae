namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>Searches data after a pickle for another pickle: every PROTO 2–5 pair is a candidate, sniffed by the VM.</summary>
internal static class TrailingPickle
{
    private const int Chunk = 1 << 16;
    private const int SniffSize = 8192;

    /// <summary>The offset of the first pickle in [start, end), or null. Streams in chunks: memory does not grow with the data.</summary>
    public static long? Find(Stream stream, long start, long end, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[Chunk + SniffSize];
        long position = start;
        while (position < end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            stream.Position = position;
            int read = IO.StreamExtensions.ReadAtMost(stream, buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - position)));
            int scanLimit = position + read >= end ? read - 1 : Math.Min(read - 1, Chunk);
            for (int i = 0; i < scanLimit; i++)
            {
                if (buffer[i] == (byte)PickleOpcode.Proto && buffer[i + 1] is >= 2 and <= 5
                    && PickleSniffer.LooksLikePickle(buffer.AsSpan(i, Math.Min(read - i, SniffSize)), end - position - i, minimumOpcodes: 4))
                {
                    return position + i;
                }
            }

            if (read < 2 || position + read >= end)
            {
                return null;
            }

            position += scanLimit;
        }

        return null;
    }
}
