namespace ModelAudit.Engine.Analyzers;

/// <summary>What a content fragment is.</summary>
internal enum ContentKind
{
    /// <summary>A chunk of a text file (configs, scripts, docs), scanned whole.</summary>
    FileText,

    /// <summary>A metadata value of a weights format (SafeTensors __metadata__, GGUF key-value pairs).</summary>
    Metadata,

    /// <summary>A value from a configuration document (JSON/YAML key path).</summary>
    ConfigValue,

    /// <summary>A Jinja2 chat template, wherever it was found.</summary>
    ChatTemplate,

    /// <summary>A string constant inside a pickle.</summary>
    PickleString,
}
