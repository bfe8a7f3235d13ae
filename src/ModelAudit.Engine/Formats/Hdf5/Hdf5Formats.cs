using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Hdf5;

internal static class Hdf5Formats
{
    public static ModelFormat Hdf5 { get; } = new("Hdf5", "HDF5 data (Keras weights, .h5 arrays)", FormatRisk.Data, ".h5", ".hdf5", ".keras", ".ckpt");
}
