namespace ModelAudit.Engine.Detection;

/// <summary>What a sniffer sees: the first bytes of the content, its length when known, and its name (a hint only).</summary>
internal readonly record struct SniffInput(byte[] Head, long? Length, string Name)
{
    /// <summary>True when <see cref="Head"/> is the whole content.</summary>
    public bool HeadIsWhole => Length is { } total && total <= Head.Length;
}
