namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// One tensor a PyTorch pickle rebuilds: which storage holds its elements (by persistent-id key), where in it they
/// start, and its shape and strides, all in elements. <see cref="Name"/> is the dict key it is stored under, once one
/// is seen.
/// </summary>
internal sealed class TorchTensorReference
{
    public TorchTensorReference(string storageKey, string storageType, long storageElements, long storageOffset, long[] shape, long[] stride)
    {
        StorageKey = storageKey;
        StorageType = storageType;
        StorageElements = storageElements;
        StorageOffset = storageOffset;
        Shape = shape;
        Stride = stride;
    }

    public string StorageKey { get; }

    public string StorageType { get; }

    /// <summary>Elements the persistent id says the storage has.</summary>
    public long StorageElements { get; }

    public long StorageOffset { get; }

    public long[] Shape { get; }

    public long[] Stride { get; }

    public string? Name { get; set; }

    /// <summary>Elements of the tensor, or null when the shape overflows.</summary>
    public long? Elements
    {
        get
        {
            try
            {
                long count = 1;
                foreach (long dimension in Shape)
                {
                    count = checked(count * dimension);
                }

                return count;
            }
            catch (OverflowException)
            {
                return null;
            }
        }
    }

    /// <summary>True when the elements lie in row-major order with no gaps (strides of a contiguous tensor; a
    /// dimension of size 1 may have any stride), so the tensor is one run of bytes in its storage.</summary>
    public bool IsContiguous
    {
        get
        {
            if (Stride.Length != Shape.Length)
            {
                return false;
            }

            long expected = 1;
            for (int i = Shape.Length - 1; i >= 0; i--)
            {
                if (Shape[i] != 1 && Stride[i] != expected)
                {
                    return false;
                }

                expected = Shape[i] == 0 ? expected : expected * Shape[i];
            }

            return true;
        }
    }
}
