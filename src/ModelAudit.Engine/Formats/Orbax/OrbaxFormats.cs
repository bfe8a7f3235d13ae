using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Orbax;

internal static class OrbaxFormats
{
    public static ModelFormat Metadata { get; } = new("OrbaxMetadata",
        "Orbax checkpoint metadata (_CHECKPOINT_METADATA, _METADATA, _sharding, array_metadatas/process_N JSON)", FormatRisk.Data);

    public static ModelFormat ZarrMetadata { get; } = new("ZarrMetadata",
        "zarr array metadata as TensorStore writes it for Orbax (.zarray, .zattrs, .zgroup, .zmetadata, zarr.json)", FormatRisk.Data);

    public static ModelFormat Manifest { get; } = new("OcdbtManifest", "OCDBT manifest of an Orbax/TensorStore checkpoint (manifest.ocdbt)", FormatRisk.Data, ".ocdbt");

    public static ModelFormat Data { get; } = new("OcdbtData", "OCDBT data file of an Orbax/TensorStore checkpoint (d/<hex>: values and tree nodes)", FormatRisk.Data);
}
