namespace ModelAudit.Bench;

/// <summary>
/// A 1 GiB TensorRT plan: the "ftrt" header, then random bytes standing for weights and kernels. Not sparse on
/// purpose: the plan scanner reads every byte (an embedded library can sit anywhere), and random bytes are its worst
/// case — a printable run every few bytes, chance magic numbers — where zeros would be its best.
/// </summary>
internal static class TensorRtBenchFiles
{
    private const long BodyBytes = 1L << 30;

    public static string RandomPlan(string dir)
    {
        string path = Path.Combine(dir, "random-1g.plan");
        if (File.Exists(path))
        {
            return path;
        }

        byte[] header = new byte[28];
        "ftrt"u8.CopyTo(header);
        header[24] = 10;
        header[25] = 3;
        using var file = File.Create(path);
        file.Write(header);
        var random = new Random(20261204);
        byte[] block = new byte[1 << 20];
        for (long written = 0; written < BodyBytes; written += block.Length)
        {
            random.NextBytes(block);
            file.Write(block);
        }

        return path;
    }
}
