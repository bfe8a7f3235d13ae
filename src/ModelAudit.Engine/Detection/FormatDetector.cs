using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Detection;

/// <summary>
/// Detection from content: every reading the registered scanners take of the first bytes. The name never picks a
/// reading (only a mismatch is reported), so a pickle named <c>.safetensors</c> is still scanned as a pickle.
/// </summary>
internal static class FormatDetector
{
    /// <summary>How many leading bytes sniffers look at.</summary>
    public const int HeadSize = 8192;

    public static IReadOnlyList<Reading> Readings(byte[] head, long? length, string name) =>
        ScannerRegistry.Default.Sniff(new SniffInput(head, length, name));

    /// <summary>The format of the first reading (the one scanned first), or Empty/Unknown.</summary>
    public static ModelFormat Detect(byte[] head, long? length, string name) =>
        head.Length == 0 ? ModelFormat.Empty : Readings(head, length, name).FirstOrDefault()?.Format ?? ModelFormat.Unknown;
}
