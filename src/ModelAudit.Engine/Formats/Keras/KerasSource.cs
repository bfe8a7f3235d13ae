namespace ModelAudit.Engine.Formats.Keras;

/// <summary>Where a Keras config was read from: the loaders differ in what they run (H5 ignores safe_mode for Lambda
/// layers before Keras 3.11.3, CVE-2025-9905).</summary>
internal enum KerasSource
{
    /// <summary>config.json of a v3 .keras archive.</summary>
    Archive,

    /// <summary>The model_config attribute of a legacy H5 file.</summary>
    H5,

    /// <summary>A model.to_json() file, loaded with model_from_json.</summary>
    Json,

    /// <summary>keras_metadata.pb inside a SavedModel.</summary>
    SavedModel,
}
