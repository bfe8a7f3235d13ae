namespace ModelAudit.Engine.Scanning;

/// <summary>What a file's declared tensors add up to, for the result and the SBOM's model card.</summary>
internal sealed record TensorSummary(long? Parameters, IReadOnlyList<string> DTypes)
{
    public static TensorSummary Of(FileScan file)
    {
        string[] dtypes = file.Tensors.Select(t => t.DType).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (file.Tensors.Count == 0 || file.Tensors.Count < file.TensorCount)
        {
            // Past the kept-tensor cap the sum would be an undercount; none is better than a wrong one.
            return new TensorSummary(null, dtypes);
        }

        try
        {
            long total = 0;
            foreach (TensorRegion tensor in file.Tensors)
            {
                long elements = 1;
                foreach (long dimension in tensor.Shape)
                {
                    if (dimension < 0)
                    {
                        return new TensorSummary(null, dtypes);
                    }

                    elements = checked(elements * dimension);
                }

                total = checked(total + elements);
            }

            return new TensorSummary(total, dtypes);
        }
        catch (OverflowException)
        {
            // Shapes come from the file: a crafted one can overflow. The count is then unknown, not a finding.
            return new TensorSummary(null, dtypes);
        }
    }
}
