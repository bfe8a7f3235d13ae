using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// Describes the tensors that lie in one PyTorch storage, whose bytes start at a known offset of the member (a storage
/// record of a legacy file, a data/&lt;key&gt; entry of a zip checkpoint): each tensor where its elements are, for
/// weight analysis and the tensor summary.
/// </summary>
internal static class TorchTensorRegions
{
    /// <summary>Describes <paramref name="tensors"/> of a storage of <paramref name="storageBytes"/> bytes at
    /// <paramref name="storageStart"/>. With <paramref name="decodable"/> false (the storage's bytes are not the
    /// member's own: a compressed zip entry) they are only summarised.</summary>
    public static void Report(IReadOnlyList<TorchTensorReference> tensors, long storageStart, long storageBytes, bool decodable, ScanContext context)
    {
        foreach (TorchTensorReference tensor in tensors)
        {
            if (TorchStorageTypes.ElementSize(tensor.StorageType) is not { } size || tensor.Elements is not { } elements || elements == 0)
            {
                continue;
            }

            try
            {
                // torch refuses a tensor whose last element lies past its storage's end; so does this description.
                long lastElement = tensor.StorageOffset;
                for (int i = 0; i < tensor.Shape.Length && i < tensor.Stride.Length; i++)
                {
                    lastElement = checked(lastElement + (tensor.Shape[i] - 1) * tensor.Stride[i]);
                }

                if (checked((lastElement + 1) * size) > storageBytes)
                {
                    continue;
                }

                var region = new TensorRegion(tensor.Name ?? $"storage {tensor.StorageKey}", TorchStorageTypes.DTypeName(tensor.StorageType), tensor.Shape,
                    checked(storageStart + tensor.StorageOffset * size), checked(elements * size));

                // A strided view (a transpose, a slice of rows) is not one run of bytes in element order.
                context.ReportTensor(region, decodable && tensor.IsContiguous);
            }
            catch (OverflowException)
            {
                // Sizes from the pickle that overflow describe no bytes torch could read.
            }
        }
    }
}
