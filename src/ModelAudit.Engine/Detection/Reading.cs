using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Detection;

/// <summary>One way a loader could read the bytes: a format, the scanner for it, and how sure detection is.</summary>
internal sealed record Reading(ModelFormat Format, IFormatScanner Scanner, ReadingStrength Strength)
{
    /// <summary>Readings are scanned in this order: code-bearing first (a pickle reading is never excluded by a
    /// magic number), then structural readings, then the merely plausible ones.</summary>
    public int Order => (Format.IsCodeBearing ? 0 : 2) + (Strength == ReadingStrength.Structural ? 0 : 1);

    /// <summary>A plausible reading of a format that runs no code: scanned only when no other reading held.</summary>
    public bool IsFallback => !Format.IsCodeBearing && Strength == ReadingStrength.Plausible;
}
