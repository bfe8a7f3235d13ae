namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>Where a dataset's elements lie: its dimensions (slowest-varying first), its element type, and the
/// absolute position and size of its data in the file when it is stored in one run (contiguous or compact layout);
/// <see cref="Position"/> is null for chunked (and so possibly filtered) data, which is not one run.</summary>
internal sealed record Hdf5Dataset(ulong[] Shape, Hdf5Datatype Type, long? Position, ulong Size);
