using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// joblib writes each NumPy array's bytes straight into the pickle stream after its NumpyArrayWrapper's BUILD
/// (joblib's unpickler reads them from the file there). Object arrays are written as a nested pickle instead.
/// Following that layout is what lets the scan reach opcodes placed after an array (peers.md D-8).
/// </summary>
internal static class JoblibArrays
{
    public static void ReadArrayData(PValue state, long offset, PickleMachine machine, ScanContext context, PickleAnalysis analysis)
    {
        PValue? dtypeValue = state.Lookup("dtype");
        string? descr = dtypeValue is { Kind: PValueKind.Call } call ? call.Args?.Item(0)?.AsString : dtypeValue?.AsString;
        var dtype = NumpyDtype.Parse(descr);
        if (dtype is null)
        {
            throw new ModelFormatException($"joblib array with a dtype this scanner cannot size ({descr ?? "unknown"})", offset);
        }

        if (dtype.Value.HasObject)
        {
            context.Report(RuleIds.NumPyObjectArray,
                "A joblib array has an object dtype: its elements are a pickle that joblib.load runs. It was scanned.", offset, "dtype=object",
                cve: new[] { "CVE-2024-34997" });
            analysis.WithCve("CVE-2024-34997", () => machine.RunEmbedded());
            return;
        }

        if (state.Lookup("numpy_array_alignment_bytes") is { Kind: PValueKind.Int })
        {
            int padding = machine.Reader.ReadByte();
            machine.Reader.Skip(padding, context.CancellationToken);
        }

        PValue? shape = state.Lookup("shape");
        if (shape is not { Kind: PValueKind.Tuple, Items: { } dims } || dims.Count != shape.Count)
        {
            throw new ModelFormatException("joblib array without a readable shape", offset);
        }

        long bytes = dtype.Value.ItemSize;
        foreach (PValue dim in dims)
        {
            if (dim.AsLong is not { } n || n < 0)
            {
                throw new ModelFormatException("joblib array with a non-integer dimension", offset);
            }

            if (n != 0 && bytes > long.MaxValue / n)
            {
                throw new ModelFormatException("joblib array larger than any file", offset);
            }

            bytes *= n;
        }

        machine.Reader.Skip(bytes, context.CancellationToken);
    }
}
