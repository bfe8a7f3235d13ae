namespace ModelAudit.Engine.IO;

/// <summary>
/// Reads a block whose length a file declares (a SafeTensors or .npy header). A declared length is only a claim: it is
/// checked against the bytes the stream still holds before anything is allocated, and when the stream cannot say
/// (a compressed member), the block is read in bounded chunks, so memory grows with the bytes that really arrive,
/// never with the number a crafted header writes.
/// </summary>
internal static class DeclaredLengthReader
{
    // 1 MiB: large enough that a real 100 MiB header is read in a hundred calls, small enough that a 16-byte file
    // declaring 100 MiB costs one chunk, not the whole claim.
    private const int ChunkBytes = 1 << 20;

    /// <summary>
    /// Reads <paramref name="declared"/> bytes after <paramref name="prefix"/> (bytes already read that belong to the
    /// block). Returns null when the stream ends first (<paramref name="remaining"/>, when known, is checked before any
    /// read), else the whole block.
    /// </summary>
    public static byte[]? Read(Stream stream, int declared, long? remaining, ReadOnlySpan<byte> prefix = default)
    {
        int rest = declared - prefix.Length;
        if (rest < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(prefix), "the prefix is longer than the declared block");
        }

        long? available = remaining ?? (stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null);
        if (available is { } known)
        {
            if (known < rest)
            {
                return null;
            }

            byte[] exact = new byte[declared];
            prefix.CopyTo(exact);
            return stream.ReadAtMost(exact.AsSpan(prefix.Length)) < rest ? null : exact;
        }

        return ReadInChunks(stream, declared, prefix);
    }

    private static byte[]? ReadInChunks(Stream stream, int declared, ReadOnlySpan<byte> prefix)
    {
        var block = new MemoryStream(Math.Min(declared, ChunkBytes));
        block.Write(prefix);
        byte[] chunk = new byte[Math.Min(declared, ChunkBytes)];
        while (block.Length < declared)
        {
            int wanted = (int)Math.Min(chunk.Length, declared - block.Length);
            int read = stream.ReadAtMost(chunk.AsSpan(0, wanted));
            block.Write(chunk, 0, read);
            if (read < wanted)
            {
                return null;
            }
        }

        return block.ToArray();
    }
}
