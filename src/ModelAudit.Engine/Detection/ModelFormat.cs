namespace ModelAudit.Engine.Detection;

/// <summary>
/// A format the engine recognises from content. Each scanner family declares its own formats next to its code
/// (e.g. <c>PickleFormats</c>), so adding a format touches only its own folder; the registry collects them.
/// The name is what results show in <c>Format</c>.
/// </summary>
public sealed class ModelFormat
{
    internal ModelFormat(string name, string description, FormatRisk risk, params string[] extensions)
    {
        Name = name;
        Description = description;
        Risk = risk;
        Extensions = extensions;
    }

    /// <summary>No byte at all.</summary>
    public static ModelFormat Empty { get; } = new("Empty", "Zero-length content", FormatRisk.Data);

    /// <summary>Content that no registered scanner recognises.</summary>
    public static ModelFormat Unknown { get; } = new("Unknown", "Content no scanner recognises", FormatRisk.Data);

    /// <summary>The name shown in results.</summary>
    public string Name { get; }

    /// <summary>What the format is, for Get-ModelScanner.</summary>
    public string Description { get; }

    /// <summary>What loading content of this format can do.</summary>
    public FormatRisk Risk { get; }

    /// <summary>File name endings under which this content is expected; another known ending is a name/content mismatch.</summary>
    public IReadOnlyList<string> Extensions { get; }

    /// <summary>True when a loader of this format runs code from it (pickles, TorchScript, native executables).</summary>
    public bool IsCodeBearing => Risk is FormatRisk.CodeBearing or FormatRisk.Executable;

    /// <inheritdoc />
    public override string ToString() => Name;
}
