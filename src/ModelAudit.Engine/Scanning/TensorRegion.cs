namespace ModelAudit.Engine.Scanning;

/// <summary>
/// Where a tensor's bytes lie in the current member, as its format declares them: what weight analysis reads
/// (in the same pass as hashing) and what the SBOM summarises. Offsets are relative to the member's first byte.
/// </summary>
internal sealed record TensorRegion(string Name, string DType, IReadOnlyList<long> Shape, long Offset, long Length)
{
    /// <summary>True when <see cref="Shape"/> lists the innermost (contiguous) dimension first, as GGUF does;
    /// otherwise the last dimension is the contiguous one (row-major: SafeTensors, NumPy, ONNX, PyTorch).</summary>
    public bool InnermostFirst { get; init; }

    /// <summary>True for a matrix stored as [inputs, outputs] (a Keras or TensorFlow dense kernel): its output neurons
    /// are the columns.</summary>
    public bool OutputsLast { get; init; }
}
