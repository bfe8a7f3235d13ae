namespace ModelAudit.Engine.Formats.TensorFlow;

/// <summary>
/// TensorFlow operators that act on the host, by the op names registered in TensorFlow's op registry
/// (tensorflow/core/ops). Checkpoint ops are file access too, but the standard saver uses them: <see cref="IsSaverOp"/>.
/// </summary>
internal static class TensorFlowOps
{
    private static readonly Dictionary<string, TensorFlowOpKind> s_ops = new(StringComparer.Ordinal)
    {
        ["PyFunc"] = TensorFlowOpKind.Python,
        ["PyFuncStateless"] = TensorFlowOpKind.Python,
        ["EagerPyFunc"] = TensorFlowOpKind.Python,

        ["ReadFile"] = TensorFlowOpKind.FileRead,
        ["MatchingFiles"] = TensorFlowOpKind.FileRead,
        ["Restore"] = TensorFlowOpKind.FileRead,
        ["RestoreSlice"] = TensorFlowOpKind.FileRead,
        ["RestoreV2"] = TensorFlowOpKind.FileRead,
        ["LoadAndRemapMatrix"] = TensorFlowOpKind.FileRead,
        ["ImmutableConst"] = TensorFlowOpKind.FileRead,
        ["WholeFileReader"] = TensorFlowOpKind.FileRead,
        ["WholeFileReaderV2"] = TensorFlowOpKind.FileRead,
        ["TextLineReader"] = TensorFlowOpKind.FileRead,
        ["TextLineReaderV2"] = TensorFlowOpKind.FileRead,
        ["FixedLengthRecordReader"] = TensorFlowOpKind.FileRead,
        ["FixedLengthRecordReaderV2"] = TensorFlowOpKind.FileRead,
        ["TFRecordReader"] = TensorFlowOpKind.FileRead,
        ["TFRecordReaderV2"] = TensorFlowOpKind.FileRead,
        ["LMDBReader"] = TensorFlowOpKind.FileRead,
        ["TextLineDataset"] = TensorFlowOpKind.FileRead,
        ["TFRecordDataset"] = TensorFlowOpKind.FileRead,
        ["TFRecordDatasetV2"] = TensorFlowOpKind.FileRead,
        ["FixedLengthRecordDataset"] = TensorFlowOpKind.FileRead,
        ["FixedLengthRecordDatasetV2"] = TensorFlowOpKind.FileRead,
        ["CSVDataset"] = TensorFlowOpKind.FileRead,
        ["CSVDatasetV2"] = TensorFlowOpKind.FileRead,
        ["ExperimentalCSVDataset"] = TensorFlowOpKind.FileRead,
        ["LMDBDataset"] = TensorFlowOpKind.FileRead,
        ["ExperimentalLMDBDataset"] = TensorFlowOpKind.FileRead,
        ["MatchingFilesDataset"] = TensorFlowOpKind.FileRead,
        ["ExperimentalMatchingFilesDataset"] = TensorFlowOpKind.FileRead,
        ["LoadDataset"] = TensorFlowOpKind.FileRead,
        ["SqlDataset"] = TensorFlowOpKind.FileRead,
        ["ExperimentalSqlDataset"] = TensorFlowOpKind.FileRead,

        ["WriteFile"] = TensorFlowOpKind.FileWrite,
        ["Save"] = TensorFlowOpKind.FileWrite,
        ["SaveSlices"] = TensorFlowOpKind.FileWrite,
        ["SaveV2"] = TensorFlowOpKind.FileWrite,
        ["MergeV2Checkpoints"] = TensorFlowOpKind.FileWrite,
        ["DatasetToTFRecord"] = TensorFlowOpKind.FileWrite,
        ["ExperimentalDatasetToTFRecord"] = TensorFlowOpKind.FileWrite,
        ["SaveDataset"] = TensorFlowOpKind.FileWrite,
        ["SaveDatasetV2"] = TensorFlowOpKind.FileWrite,
        ["CreateSummaryFileWriter"] = TensorFlowOpKind.FileWrite,
        ["CreateSummaryDbWriter"] = TensorFlowOpKind.FileWrite,

        // Debug ops stream tensors to their debug_urls (file:// or grpc://); data-service datasets connect to a
        // dispatcher address; collectives talk to other workers; Abort ends the loading process.
        ["DebugIdentity"] = TensorFlowOpKind.Host,
        ["DebugIdentityV2"] = TensorFlowOpKind.Host,
        ["DebugIdentityV3"] = TensorFlowOpKind.Host,
        ["DebugNanCount"] = TensorFlowOpKind.Host,
        ["DebugNumericSummary"] = TensorFlowOpKind.Host,
        ["DebugNumericSummaryV2"] = TensorFlowOpKind.Host,
        ["DataServiceDataset"] = TensorFlowOpKind.Host,
        ["DataServiceDatasetV2"] = TensorFlowOpKind.Host,
        ["DataServiceDatasetV3"] = TensorFlowOpKind.Host,
        ["DataServiceDatasetV4"] = TensorFlowOpKind.Host,
        ["RegisterDataset"] = TensorFlowOpKind.Host,
        ["RegisterDatasetV2"] = TensorFlowOpKind.Host,
        ["CollectiveReduce"] = TensorFlowOpKind.Host,
        ["CollectiveReduceV2"] = TensorFlowOpKind.Host,
        ["CollectiveGather"] = TensorFlowOpKind.Host,
        ["CollectiveGatherV2"] = TensorFlowOpKind.Host,
        ["CollectiveBcastSend"] = TensorFlowOpKind.Host,
        ["CollectiveBcastRecv"] = TensorFlowOpKind.Host,
        ["Abort"] = TensorFlowOpKind.Host,
    };

    // What the standard tf.train.Saver and SavedModel checkpointing put in their save/restore scopes and functions.
    private static readonly HashSet<string> s_saverOps = new(StringComparer.Ordinal)
    {
        "Save", "SaveSlices", "SaveV2", "Restore", "RestoreSlice", "RestoreV2", "MergeV2Checkpoints",
    };

    public static TensorFlowOpKind Classify(string op) => s_ops.TryGetValue(op, out TensorFlowOpKind kind) ? kind : TensorFlowOpKind.None;

    public static bool IsSaverOp(string op) => s_saverOps.Contains(op);

    /// <summary>True for the functions tf.saved_model.save writes for checkpointing (<c>__inference__traced_save_123</c>,
    /// <c>__inference__traced_restore_123</c>); only their saver ops are exempt, anything else in them is judged.</summary>
    public static bool IsSaverFunction(string? function) =>
        function is not null && (function.StartsWith("__inference__traced_save_", StringComparison.Ordinal)
            || function.StartsWith("__inference__traced_restore_", StringComparison.Ordinal));
}
