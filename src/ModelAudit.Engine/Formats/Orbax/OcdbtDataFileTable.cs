using System.Text;

namespace ModelAudit.Engine.Formats.Orbax;

/// <summary>
/// Decodes an OCDBT data file table: <c>num_files</c>, then columns of varints (the prefix each path shares with the
/// one before, each suffix's length, each base path's length) and the suffixes, as TensorStore's format specifies.
/// </summary>
internal static class OcdbtDataFileTable
{
    // The format's own bound on a data file path.
    private const int MaxPathBytes = 65535;

    public static IReadOnlyList<OcdbtDataFileRef> Read(OcdbtCursor cursor)
    {
        // Every file takes at least a suffix length and a base length byte.
        int count = cursor.Count(2, "The data file table");
        var prefix = new int[count];
        var suffix = new int[count];
        var baseLength = new int[count];
        for (int i = 1; i < count; i++)
        {
            prefix[i] = Bounded(cursor.Varint(), "A shared path prefix");
        }

        for (int i = 0; i < count; i++)
        {
            suffix[i] = cursor.Length(cursor.Varint(), "A data file path suffix");
        }

        for (int i = 0; i < count; i++)
        {
            baseLength[i] = Bounded(cursor.Varint(), "A base path length");
        }

        var files = new OcdbtDataFileRef[count];
        byte[] previous = Array.Empty<byte>();
        for (int i = 0; i < count; i++)
        {
            if (prefix[i] > previous.Length || prefix[i] + suffix[i] > MaxPathBytes)
            {
                throw new ModelFormatException($"Data file {i} shares {prefix[i]:N0} bytes with a {previous.Length:N0}-byte path before it, or is longer than {MaxPathBytes:N0} bytes.", cursor.Offset);
            }

            byte[] path = new byte[prefix[i] + suffix[i]];
            previous.AsSpan(0, prefix[i]).CopyTo(path);
            cursor.Bytes(suffix[i]).CopyTo(path.AsSpan(prefix[i]));
            if (baseLength[i] > path.Length)
            {
                throw new ModelFormatException($"Data file {i}'s base path is {baseLength[i]:N0} bytes of a {path.Length:N0}-byte path.", cursor.Offset);
            }

            files[i] = new OcdbtDataFileRef(Encoding.UTF8.GetString(path, 0, baseLength[i]), Encoding.UTF8.GetString(path, baseLength[i], path.Length - baseLength[i]));
            previous = path;
        }

        return files;
    }

    private static int Bounded(ulong value, string what) =>
        value <= MaxPathBytes ? (int)value : throw new ModelFormatException($"{what} of {value:N0} bytes is past the format's {MaxPathBytes:N0}.");
}
