using System.Globalization;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Gguf;

internal sealed partial class GgufScanner
{
    // ggml.h: GGML_MAX_DIMS and GGML_MAX_NAME; llama.cpp's gguf reader rejects tensors beyond either.
    private const uint MaxDimensions = 4;
    private const int MaxNameBytes = 64;

    private static void ReadTensorInfos(GgufReader reader, GgufHeader header, ulong tensorCount, ScanContext context)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (ulong i = 0; i < tensorCount; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            long infoOffset = reader.Offset;
            string name = ReadString(reader, header, "a tensor name", context) ?? $"(tensor {i})";
            if (!names.Add(name))
            {
                context.Report(RuleIds.GgufTensorInfoInvalid, $"Tensor name '{name}' is used twice; loaders disagree about which tensor it means.", infoOffset, name);
            }

            if (System.Text.Encoding.UTF8.GetByteCount(name) >= MaxNameBytes)
            {
                context.Report(RuleIds.GgufTensorInfoInvalid, $"Tensor name '{Shorten(name)}' is {MaxNameBytes} bytes or longer; ggml does not accept it.", infoOffset, Shorten(name));
            }

            uint dimensions = reader.U32();
            if (dimensions > MaxDimensions)
            {
                // Past this the description cannot be trusted to have the layout ggml reads; stop here.
                context.Report(RuleIds.GgufTensorInfoInvalid, $"Tensor '{Shorten(name)}' has {dimensions:N0} dimensions; ggml supports at most {MaxDimensions}.",
                    infoOffset, dimensions.ToString(CultureInfo.InvariantCulture));
                header.Tensors.Clear();
                throw new GgufStopException();
            }

            var shape = new ulong[dimensions];
            for (int d = 0; d < shape.Length; d++)
            {
                shape[d] = header.Version == 1 ? reader.U32() : reader.U64();
            }

            uint typeId = reader.U32();
            ulong offset = reader.U64();
            header.Tensors.Add(Describe(name, shape, typeId, offset, infoOffset, context));
        }
    }

    private static GgufTensorInfo Describe(string name, ulong[] shape, uint typeId, ulong offset, long infoOffset, ScanContext context)
    {
        string shown = Shorten(name);
        if (GgmlType.Get(typeId) is not { } type)
        {
            context.Report(RuleIds.GgufTensorInfoInvalid, $"Tensor '{shown}' has unknown ggml type {typeId}; its size cannot be known.", infoOffset,
                typeId.ToString(CultureInfo.InvariantCulture));
            return new GgufTensorInfo(name, shape, typeId.ToString(CultureInfo.InvariantCulture), offset, null, infoOffset);
        }

        // ggml keeps dimensions as int64 and multiplies them: each must fit, and so must their product.
        UInt128 elements = 1;
        foreach (ulong dimension in shape)
        {
            elements *= dimension;
            if (dimension > long.MaxValue || elements > long.MaxValue)
            {
                context.Report(RuleIds.GgufTensorInfoInvalid, $"Tensor '{shown}' has shape [{string.Join(",", shape)}], whose element count overflows.", infoOffset, shown);
                return new GgufTensorInfo(name, shape, type.Name, offset, null, infoOffset);
            }
        }

        ulong rowLength = shape.Length > 0 ? shape[0] : 1;
        if (rowLength % (ulong)type.BlockElements != 0)
        {
            context.Report(RuleIds.GgufTensorInfoInvalid,
                $"Tensor '{shown}' is {type.Name} with rows of {rowLength:N0} elements, not a multiple of its {type.BlockElements}-element block.", infoOffset, shown);
            return new GgufTensorInfo(name, shape, type.Name, offset, null, infoOffset);
        }

        // The element count fits int64, but its bytes may not (2^62 F32 elements): no file holds such a tensor.
        UInt128 bytes = elements / (ulong)type.BlockElements * (ulong)type.BlockBytes;
        if (bytes > long.MaxValue)
        {
            context.Report(RuleIds.GgufTensorInfoInvalid, $"Tensor '{shown}' has shape [{string.Join(",", shape)}], whose size in {type.Name} bytes overflows.", infoOffset, shown);
            return new GgufTensorInfo(name, shape, type.Name, offset, null, infoOffset);
        }

        return new GgufTensorInfo(name, shape, type.Name, offset, (ulong)bytes, infoOffset);
    }

    /// <summary>
    /// Tensor data starts at the first aligned offset after the tensor descriptions; gguf writers then place each
    /// tensor at the running total of the aligned sizes before it, which llama.cpp requires. Every tensor's bytes
    /// must lie inside the file; bytes after the last tensor's padding belong to nothing.
    /// </summary>
    private static void CheckLayout(ScanInput input, GgufHeader header, long headerEnd, ScanContext context)
    {
        ulong alignment = header.Alignment;
        ulong dataStart = Pad((ulong)headerEnd, alignment);
        long? fileLength = input.Length;
        ulong expected = 0;
        bool inOrder = true;
        foreach (GgufTensorInfo tensor in header.Tensors)
        {
            if (tensor.Bytes is not { } bytes)
            {
                inOrder = false;
                continue;
            }

            if (inOrder && tensor.Offset != expected)
            {
                string what = tensor.Offset % alignment != 0 ? $"is not aligned to {alignment}" : tensor.Offset < expected ? "overlaps the tensor before it" : "leaves a gap after the tensor before it";
                context.Report(RuleIds.GgufTensorLayout,
                    $"Tensor '{Shorten(tensor.Name)}' is at data offset {tensor.Offset:N0}, where {expected:N0} was expected: it {what}.", tensor.InfoOffset, Shorten(tensor.Name));
                inOrder = false;
            }

            UInt128 end = (UInt128)dataStart + tensor.Offset + bytes;
            if ((fileLength is { } length && end > (UInt128)(ulong)length) || end > long.MaxValue)
            {
                context.Report(RuleIds.GgufOutOfBounds,
                    $"Tensor '{Shorten(tensor.Name)}' ({tensor.Type}[{string.Join(",", tensor.Shape)}], {bytes:N0} bytes) ends at byte {end:N0}, past the end of the {fileLength?.ToString("N0", CultureInfo.InvariantCulture) ?? "unknown-length"}-byte file.",
                    tensor.InfoOffset, Shorten(tensor.Name));
            }
            else
            {
                context.ReportTensor(new TensorRegion(tensor.Name, tensor.Type, tensor.Shape.Select(d => (long)d).ToArray(),
                    (long)(dataStart + tensor.Offset), (long)bytes) { InnermostFirst = true });
            }

            if (inOrder)
            {
                expected = (ulong)UInt128.Min(ulong.MaxValue, (UInt128)expected + Pad(bytes, alignment));
            }
        }

        // Padding after the descriptions and after the last tensor is part of the file as writers make it; what
        // follows the padded end of the data belongs to nothing.
        ulong dataEnd = (ulong)UInt128.Min(ulong.MaxValue, (UInt128)dataStart + expected);
        if (inOrder && fileLength is { } total && (ulong)total > dataEnd)
        {
            long trailing = total - (long)dataEnd;
            context.Report(RuleIds.TrailingData, $"{trailing:N0} bytes follow the end of the tensor data; they belong to no tensor and were scanned.",
                (long)dataEnd, "trailing data");
            if (input.Stream.CanSeek)
            {
                context.ScanChild("trailing data", new WindowStream(input.Stream, header.Origin + (long)dataEnd, trailing), trailing);
            }
        }
    }

    private static ulong Pad(ulong value, ulong alignment) => (ulong)(((UInt128)value + alignment - 1) / alignment * alignment);

    // Names come from the file; findings keep them readable.
    private static string Shorten(string name) => name.Length <= 80 ? name : name[..80] + "…";
}
