using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Scanning;

/// <summary>A scanner for one format family. Registered in <see cref="ScannerRegistry"/>.</summary>
internal interface IFormatScanner
{
    /// <summary>Name shown in findings and by Get-ModelScanner.</summary>
    string Name { get; }

    /// <summary>Formats this scanner handles.</summary>
    IReadOnlyList<ModelFormat> Formats { get; }

    /// <summary>Scans the input, reporting through the context. May throw <see cref="ModelFormatException"/> or
    /// <see cref="ScanLimitExceededException"/>; the engine turns those into 9xxx findings.</summary>
    void Scan(ScanInput input, ScanContext context);
}
