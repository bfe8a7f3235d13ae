using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Scanning;

/// <summary>
/// How a scanner describes itself: a stable id, the name shown in findings, the formats it reads, and whether it
/// scans them or only recognises them (a recognised-but-unscanned format is reported Inconclusive).
/// </summary>
internal sealed record ScannerInfo(string Id, string Name, IReadOnlyList<ModelFormat> Formats, bool Scans = true)
{
    /// <summary>True when the scanner holds other content (archives, compressed streams).</summary>
    public bool IsContainer => Formats.Any(f => f.Risk == FormatRisk.Container);

    /// <summary>True when one of its formats can run code when loaded.</summary>
    public bool IsCodeBearing => Formats.Any(f => f.IsCodeBearing);
}
