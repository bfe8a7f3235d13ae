namespace ModelAudit;

/// <summary>A format the engine recognises, and the scanner that covers it.</summary>
public sealed class ModelScannerInfo
{
    /// <summary>Creates an entry.</summary>
    public ModelScannerInfo(string format, string? scanner, bool isScanned, string description, IReadOnlyList<string> extensions)
    {
        Format = format;
        Scanner = scanner;
        IsScanned = isScanned;
        Description = description;
        Extensions = extensions;
    }

    /// <summary>Format name as it appears in <see cref="ModelScanResult.Format"/>.</summary>
    public string Format { get; }

    /// <summary>The scanner that handles it, or null when the format is only recognised.</summary>
    public string? Scanner { get; }

    /// <summary>True when content of this format is scanned; false when it is only recognised (reported Inconclusive).</summary>
    public bool IsScanned { get; }

    /// <summary>What the format is.</summary>
    public string Description { get; }

    /// <summary>Usual file name endings (a hint only: detection is by content).</summary>
    public IReadOnlyList<string> Extensions { get; }

    /// <inheritdoc />
    public override string ToString() => Format;
}
