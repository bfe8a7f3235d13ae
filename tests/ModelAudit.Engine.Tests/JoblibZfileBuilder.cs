using System.IO.Compression;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Legacy joblib (≤ 0.9) Z-files, byte for byte as joblib's write_zfile lays them out.</summary>
internal static class JoblibZfileBuilder
{
    /// <summary>write_zfile: 'ZF', hex(len(data)) left-justified to 19 characters, zlib.compress(data).</summary>
    public static byte[] Zfile(byte[] pickle, long? declared = null, bool python2Space = false)
    {
        var file = new MemoryStream();
        file.Write("ZF"u8);
        file.Write(Encoding.ASCII.GetBytes($"0x{declared ?? pickle.Length:x}".PadRight(19) + (python2Space ? " " : "")));
        using (var z = new ZLibStream(file, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(pickle);
        }

        return file.ToArray();
    }
}
