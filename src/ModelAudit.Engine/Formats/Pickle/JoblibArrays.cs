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
        var dtype = Describe(dtypeValue, depth: 0);
        if (dtype is null)
        {
            throw new ModelFormatException($"joblib array with a dtype this scanner cannot size ({Descr(dtypeValue) ?? "unknown"})", offset);
        }

        if (dtype.Value.HasObject)
        {
            context.Report(RuleIds.NumPyObjectArray,
                "A joblib array has an object dtype: its elements are a pickle that joblib.load runs. It was scanned.", offset, "dtype=object",
                cve: new[] { "CVE-2024-34997" });
            analysis.WithCve("CVE-2024-34997", () => machine.RunEmbedded());
            return;
        }

        // joblib reads the padding byte whenever the attribute is not None, whatever its value.
        if (state.Lookup("numpy_array_alignment_bytes") is { Kind: not PValueKind.None })
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

    // numpy.dtype pickles as numpy.dtype(descr, align, copy) with BUILD state (version, byteorder, subarray, names,
    // fields, elsize, alignment, flags): the item size of flexible and structured types is the state's elsize, and
    // a structured or subarray dtype holds objects when any field or the base does (or the flags say so). Any sign
    // of objects counts: joblib then reads a nested pickle, and treating raw bytes as one fails loudly, not Clean.
    private const int MaxDtypeDepth = 16;
    private const long HasObjectFlag = 0x01;

    private static (long ItemSize, bool HasObject)? Describe(PValue? dtype, int depth)
    {
        if (dtype is null || depth > MaxDtypeDepth)
        {
            return null;
        }

        var parsed = NumpyDtype.Parse(Descr(dtype));
        PValue? dtypeState = dtype.AttributeSources?.LastOrDefault(s => s.Kind == PValueKind.Tuple);
        long? elsize = dtypeState?.Item(5)?.AsLong;
        bool hasObject = parsed?.HasObject == true || (dtypeState?.Item(7)?.AsLong is { } flags && (flags & HasObjectFlag) != 0);
        if (dtypeState?.Item(2) is { Kind: PValueKind.Tuple } subarray)
        {
            hasObject |= Describe(subarray.Item(0), depth + 1)?.HasObject ?? true;
        }

        if (dtypeState?.Item(4) is { Kind: PValueKind.Dict, Items: { } fields })
        {
            for (int i = 1; i < fields.Count; i += 2)
            {
                hasObject |= Describe(fields[i].Item(0), depth + 1)?.HasObject ?? true;
            }
        }

        if (elsize is > 0)
        {
            return (elsize.Value, hasObject);
        }

        return parsed is { } p ? (p.ItemSize, hasObject) : null;
    }

    private static string? Descr(PValue? dtype) => dtype is { Kind: PValueKind.Call } call ? call.Args?.Item(0)?.AsString : dtype?.AsString;
}
