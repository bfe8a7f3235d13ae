namespace ModelAudit.Engine.Formats.Orbax;

/// <summary>Reads a stream whole into an array that grows with what is actually read, never past a bound: a buffer of
/// the bound's size up front would allocate megabytes for every few-byte body.</summary>
internal static class BoundedRead
{
    private const int ChunkBytes = 1 << 16;

    /// <summary>The stream's bytes, or null when there are more than <paramref name="max"/> of them.</summary>
    public static byte[]? All(Stream stream, int max)
    {
        using var output = new MemoryStream();
        byte[] chunk = new byte[ChunkBytes];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (output.Length + n > max)
            {
                return null;
            }

            output.Write(chunk, 0, n);
        }

        return output.ToArray();
    }

    /// <summary>Up to <paramref name="count"/> bytes from the stream (fewer at its end), in memory that grows with
    /// what is read: a count taken from the file costs only the bytes that are really there.</summary>
    public static byte[] Prefix(Stream stream, int count)
    {
        using var output = new MemoryStream();
        byte[] chunk = new byte[Math.Min(count, ChunkBytes)];
        int n;
        while (output.Length < count && (n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, count - output.Length))) > 0)
        {
            output.Write(chunk, 0, n);
        }

        return output.ToArray();
    }
}
