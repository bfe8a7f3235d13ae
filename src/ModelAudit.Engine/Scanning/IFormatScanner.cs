using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Scanning;

/// <summary>
/// A scanner for one format family: it describes itself, recognises its own formats, and scans them. Registered in
/// <see cref="ScannerRegistry"/>; detection asks every scanner, so a new format never edits a central table.
/// </summary>
internal interface IFormatScanner
{
    /// <summary>What the scanner is and which formats it covers.</summary>
    ScannerInfo Info { get; }

    /// <summary>The reading of the content this scanner would take, or null when the bytes are not its format.
    /// Must not throw for any input; looks only at <see cref="SniffInput.Head"/>.</summary>
    Reading? Sniff(SniffInput input);

    /// <summary>Scans the input, reporting through the context. May throw <see cref="ModelFormatException"/>,
    /// <see cref="ScanLimitExceededException"/> (the engine turns those into 9xxx findings) or, for a plausible
    /// reading that does not hold, <see cref="NotThisFormatException"/>.</summary>
    void Scan(ScanInput input, ScanContext context);
}
