namespace ModelAudit.Engine.Formats.TFLite;

/// <summary>TensorFlow kernels that reach the host when the Flex delegate runs them: file system reads and writes
/// (checkpoint savers, datasets, summaries, memory-mapped constants) and Python callbacks.</summary>
internal static class TFLiteHostOps
{
    private static readonly HashSet<string> s_ops = new(StringComparer.Ordinal)
    {
        "ReadFile", "WriteFile", "MatchingFiles", "ImmutableConst",
        "Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2", "RestoreSlice", "MergeV2Checkpoints",
        "PyFunc", "PyFuncStateless", "EagerPyFunc",
        "CreateSummaryFileWriter", "WriteSummary", "WriteScalarSummary", "WriteHistogramSummary", "WriteImageSummary",
        "WriteAudioSummary", "WriteRawProtoSummary", "WriteGraphSummary", "DebugIdentityV2",
        "TFRecordDataset", "TFRecordDatasetV2", "TextLineDataset", "TextLineDatasetV2", "FixedLengthRecordDataset",
        "FixedLengthRecordDatasetV2", "SaveDataset", "SaveDatasetV2", "LoadDataset", "WholeFileReader", "WholeFileReaderV2",
    };

    /// <summary>True when the TensorFlow op (without the "Flex" prefix) touches files or runs Python.</summary>
    public static bool Contains(string tensorFlowOp) => s_ops.Contains(tensorFlowOp);
}
