using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.TensorFlowCheckpoint;

internal static class TensorFlowCheckpointFormats
{
    /// <summary>The tensor bundle index (<c>prefix.index</c>): an SSTable of BundleEntryProto values keyed by tensor name.</summary>
    public static ModelFormat Index { get; } = new("TensorFlowCheckpointIndex", "TensorFlow checkpoint index (tensor bundle .index)", FormatRisk.Data, ".index");

    /// <summary>A data shard (<c>prefix.data-00000-of-00001</c>): the tensors' raw bytes at the offsets the index gives.</summary>
    public static ModelFormat Shard { get; } = new("TensorFlowCheckpointData", "Data shard of a TensorFlow checkpoint", FormatRisk.Data);
}
