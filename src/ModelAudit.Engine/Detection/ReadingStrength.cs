namespace ModelAudit.Engine.Detection;

/// <summary>How sure a sniffer is that the bytes are its format.</summary>
internal enum ReadingStrength
{
    /// <summary>The bytes may be this format; the full scan decides (and may reject the reading without a finding).</summary>
    Plausible,

    /// <summary>A magic number or structure only this format has.</summary>
    Structural,
}
