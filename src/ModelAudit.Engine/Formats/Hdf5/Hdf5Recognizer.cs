using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>Recognises HDF5 (Keras .h5) by its signature, at 0 or after a user block; its scanner is not part of this version.</summary>
internal sealed class Hdf5Recognizer : IFormatScanner
{
    private static readonly byte[] s_signature = { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A };

    // HDF5 looks for its superblock at 0, 512, 1024, 2048… (a user block in front); the head covers the first few.
    private static readonly int[] s_offsets = { 0, 512, 1024, 2048, 4096 };

    public static ModelFormat Hdf5 { get; } = new("Hdf5", "HDF5 (Keras .h5)", FormatRisk.Data, ".h5", ".hdf5", ".keras", ".ckpt");

    public ScannerInfo Info { get; } = new("hdf5", "Hdf5", new[] { Hdf5 }, Scans: false);

    public Reading? Sniff(SniffInput input)
    {
        foreach (int offset in s_offsets)
        {
            if (input.Head.Length >= offset + 8 && input.Head.AsSpan(offset, 8).SequenceEqual(s_signature))
            {
                return new Reading(Hdf5, this, ReadingStrength.Structural);
            }
        }

        return null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
    }
}
