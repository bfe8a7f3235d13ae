namespace ModelAudit.Engine.Detection;

/// <summary>What loading content of a format can do, as far as the format itself goes.</summary>
public enum FormatRisk
{
    /// <summary>Data no loader executes (weights, text, images).</summary>
    Data,

    /// <summary>Holds other content, which is scanned as what it is.</summary>
    Container,

    /// <summary>Loading it can run code: pickle-family formats, TorchScript.</summary>
    CodeBearing,

    /// <summary>A native executable.</summary>
    Executable,
}
