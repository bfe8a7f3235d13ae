namespace ModelAudit.Engine.Formats.TensorFlowCheckpoint;

/// <summary>One tensor of a bundle (BundleEntryProto): where its bytes are and what they should hold.</summary>
internal sealed record BundleEntry(string Name, int DType, IReadOnlyList<long> Shape, bool UnknownShape, int ShardId, long Offset, long Size, bool Sliced);
