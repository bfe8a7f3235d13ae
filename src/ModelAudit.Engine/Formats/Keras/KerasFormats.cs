using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Keras;

/// <summary>The Keras formats: the v3 archive, legacy H5 models, model.to_json() files and SavedModel keras_metadata.pb.</summary>
internal static class KerasFormats
{
    public static ModelFormat Archive { get; } = new("Keras", "Keras v3 .keras archives (config.json, metadata.json, model.weights.h5)",
        FormatRisk.Container, ".keras", ".zip");

    public static ModelFormat H5 { get; } = new("KerasH5", "Legacy Keras H5 models (HDF5 with a model_config attribute)",
        FormatRisk.Data, ".h5", ".hdf5", ".keras");

    public static ModelFormat Json { get; } = new("KerasJson", "Keras model configs written by model.to_json() or saved as config.json",
        FormatRisk.Data, ".json");

    public static ModelFormat Metadata { get; } = new("KerasMetadata", "keras_metadata.pb in a TensorFlow SavedModel (layer configs as JSON)",
        FormatRisk.Data, ".pb");
}
