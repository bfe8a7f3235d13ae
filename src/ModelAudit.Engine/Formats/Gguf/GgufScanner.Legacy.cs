using System.Globalization;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Gguf;

internal sealed partial class GgufScanner
{
    // Legacy files have no self-describing header: the hyperparameters before the vocabulary are a fixed list of
    // int32s whose length depends on the model family (llama 7, gpt-2 6, gpt-j and gpt-neox 7 or 8). The first
    // count whose vocabulary and tensors then tile the file exactly is the layout; llama's comes first.
    private static readonly int[] s_hyperparameterCounts = { 7, 6, 8, 5, 9 };

    // GGJT and GGLA align each tensor's data to 32 bytes from the start of the file.
    private const long LegacyAlignment = 32;

    // A vocabulary token or tensor name longer than this is not text any converter wrote.
    private const int MaxLegacyStringBytes = 1 << 16;

    private static void ScanLegacy(ScanInput input, GgufReader first, ScanContext context)
    {
        string magic = GgmlMagic(input.Head)!;
        if (magic == "ggsn")
        {
            context.ReportInconclusive(RuleIds.FormatNotScanned, "The file is a llama.cpp session (saved inference state), not a model; it is not scanned.", 0, "ggsn");
            return;
        }

        if (input.Length is not { } length)
        {
            context.ReportInconclusive(RuleIds.ParseError, $"A legacy {magic} file of unknown length cannot be checked: its layout is found from where it ends.", 0, magic);
            return;
        }

        string? failure = null;
        long origin = input.Stream.CanSeek ? input.Stream.Position : 0;
        int[] counts = magic == "ggla" ? new[] { 0 } : input.Stream.CanSeek ? s_hyperparameterCounts : new[] { s_hyperparameterCounts[0] };
        for (int i = 0; i < counts.Length; i++)
        {
            GgufReader reader = first;
            if (i > 0)
            {
                input.Stream.Position = origin;
                reader = new GgufReader(input.Stream, length, context.CancellationToken);
            }

            try
            {
                var layout = new List<GgufTensorInfo>();
                uint version = ReadLegacy(reader, magic, counts[i], layout, context);
                foreach (GgufTensorInfo t in layout.Where(t => t.Bytes is not null))
                {
                    context.ReportTensor(new TensorRegion(t.Name, t.Type, t.Shape.Select(d => (long)d).ToArray(), (long)t.Offset, (long)t.Bytes!.Value) { InnermostFirst = true });
                }

                context.Report(RuleIds.GgmlLegacyFormat,
                    $"Legacy {magic.ToUpperInvariant()}{(magic == "ggml" ? "" : " v" + version)} file: {layout.Count:N0} tensors, structure checked against the file.", 0, magic);
                return;
            }
            catch (Exception ex) when (ex is GgufInvalidException or ModelFormatException)
            {
                failure ??= ex.Message;
            }
        }

        context.ReportInconclusive(RuleIds.ParseError, $"The legacy {magic} file does not have a layout this version knows ({failure}).", 0, magic);
    }

    private static uint ReadLegacy(GgufReader reader, string magic, int hyperparameters, List<GgufTensorInfo> tensors, ScanContext context)
    {
        reader.Skip(4, "the magic");
        uint version = magic == "ggml" ? 0 : reader.U32();
        bool known = magic switch { "ggmf" => version == 1, "ggjt" => version is >= 1 and <= 3, "ggla" => version == 1, _ => true };
        if (!known)
        {
            throw new ModelFormatException($"{magic} version {version} is not one llama.cpp wrote", 4);
        }

        bool aligned = magic is "ggjt" or "ggla";
        if (magic == "ggla")
        {
            reader.Skip(8, "the adapter rank and alpha");
        }
        else
        {
            int vocabulary = reader.I32();
            reader.Skip((ulong)(hyperparameters - 1) * 4, "the hyperparameters");
            if (vocabulary <= 0)
            {
                throw new GgufInvalidException($"the vocabulary size {vocabulary} is not positive", 4);
            }

            bool scores = magic != "ggml";
            reader.Require((ulong)vocabulary * 4, "the vocabulary");
            for (int i = 0; i < vocabulary; i++)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                uint tokenLength = reader.U32();
                if (tokenLength > MaxLegacyStringBytes)
                {
                    throw new GgufInvalidException($"token {i} claims {tokenLength:N0} bytes", reader.Offset);
                }

                reader.Skip(tokenLength + (scores ? 4UL : 0UL), "a vocabulary token");
            }
        }

        while (reader.Remaining > 0)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            tensors.Add(ReadLegacyTensor(reader, aligned));
            if (tensors.Count > context.Limits.MaxTensorCount)
            {
                throw new ScanLimitExceededException(nameof(ScanLimits.MaxTensorCount), $"more than {context.Limits.MaxTensorCount:N0} tensors", reader.Offset);
            }
        }

        return version;
    }

    private static GgufTensorInfo ReadLegacyTensor(GgufReader reader, bool aligned)
    {
        long infoOffset = reader.Offset;
        int dimensions = reader.I32();
        int nameLength = reader.I32();
        uint typeId = reader.U32();
        if (dimensions is < 1 or > (int)MaxDimensions || nameLength is < 1 or > MaxLegacyStringBytes)
        {
            throw new GgufInvalidException($"a tensor at offset {infoOffset} has {dimensions} dimensions and a {nameLength}-byte name", infoOffset);
        }

        var shape = new ulong[dimensions];
        UInt128 elements = 1;
        for (int d = 0; d < dimensions; d++)
        {
            int dimension = reader.I32();
            if (dimension <= 0)
            {
                throw new GgufInvalidException($"a tensor at offset {infoOffset} has dimension {dimension}", infoOffset);
            }

            shape[d] = (ulong)dimension;
            elements *= (ulong)dimension;
        }

        string name = reader.Text((ulong)nameLength, "a tensor name");
        if (GgmlType.Get(typeId) is not { } type || shape[0] % (ulong)type.BlockElements != 0)
        {
            throw new GgufInvalidException($"tensor '{Shorten(name)}' has type {typeId.ToString(CultureInfo.InvariantCulture)}, unknown or not matching its rows", infoOffset);
        }

        if (aligned)
        {
            reader.Skip((ulong)((LegacyAlignment - reader.Offset % LegacyAlignment) % LegacyAlignment), "tensor padding");
        }

        UInt128 size = elements / (ulong)type.BlockElements * (ulong)type.BlockBytes;
        if (size > long.MaxValue)
        {
            throw new GgufInvalidException($"tensor '{Shorten(name)}' claims {size:N0} bytes", infoOffset);
        }

        ulong bytes = (ulong)size;
        ulong offset = (ulong)reader.Offset;
        reader.Skip(bytes, $"the data of tensor '{Shorten(name)}'");
        return new GgufTensorInfo(name, shape, type.Name, offset, bytes, infoOffset);
    }
}
