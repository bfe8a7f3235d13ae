using System.Buffers.Binary;
using System.Text.Json;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.SafeTensors;

/// <summary>
/// Validates a SafeTensors file from its header alone: header length bounds, a JSON object of tensor entries,
/// dtype × shape against byte ranges, and offsets that tile the data region exactly (no overlap, gap, trailing
/// data or truncation). Tensor bytes are never read. <c>__metadata__</c> strings go to the analyzers.
/// </summary>
internal sealed class SafeTensorsScanner : IFormatScanner
{
    public ScannerInfo Info { get; } = new("safetensors", "SafeTensors", new[] { SafeTensorsFormats.SafeTensors });

    public Reading? Sniff(SniffInput input) =>
        LooksLikeSafeTensors(input.Head, input.Length) ? new Reading(SafeTensorsFormats.SafeTensors, this, ReadingStrength.Structural) : null;

    // SafeTensors: u64 little-endian header length, then a JSON object. A huge or zero length is still SafeTensors
    // (the scanner reports the bounds violation); the '{' after the length is what identifies it.
    private static bool LooksLikeSafeTensors(ReadOnlySpan<byte> h, long? length)
    {
        if (h.Length < 10 || h[8] != (byte)'{')
        {
            return false;
        }

        byte next = h[9];
        if (next is not ((byte)'"' or (byte)'}' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            return false;
        }

        // Eight printable characters before a '{' are text, unless they happen to be a length that fits the file.
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(h);
        bool printable = !h[..8].ContainsAnyExceptInRange((byte)0x20, (byte)0x7E);
        return !printable || (length is { } total && headerLength <= (ulong)total);
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        if (input.Stream.ReadAtMost(lengthBytes) < 8)
        {
            context.Report(RuleIds.SafeTensorsHeaderBounds, "The file is shorter than the 8-byte header length.", 0);
            return;
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        long? fileLength = input.Length;
        if (headerLength < 2 || headerLength > (ulong)context.Limits.MaxHeaderBytes
            || (fileLength is { } len && (len < 8 || headerLength > (ulong)(len - 8))))
        {
            context.Report(RuleIds.SafeTensorsHeaderBounds,
                $"Header length {headerLength:N0} is out of bounds (file {fileLength?.ToString("N0") ?? "of unknown size"} bytes, limit {context.Limits.MaxHeaderBytes:N0}).",
                0, headerLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        // Checked against the file's length above when it is known; otherwise read in bounded chunks, so a short
        // compressed member that claims a 100 MiB header costs what it holds.
        byte[]? header = DeclaredLengthReader.Read(input.Stream, (int)headerLength, fileLength - 8);
        if (header is null)
        {
            context.Report(RuleIds.SafeTensorsOutOfBounds, "The file ends inside its JSON header (truncated).", 8);
            return;
        }

        long dataLength = fileLength is { } total ? total - 8 - (long)headerLength : -1;
        var tensors = new List<TensorEntry>();
        if (!ParseHeader(header, context, tensors))
        {
            return;
        }

        CheckLayout(tensors, dataLength, 8 + (long)headerLength, context);
        ReportRegions(tensors, 8 + (long)headerLength, context);
    }

    private static bool ParseHeader(byte[] header, ScanContext context, List<TensorEntry> tensors)
    {
        JsonDocument document;
        try
        {
            document = Utf8Json.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            context.Report(RuleIds.SafeTensorsHeaderInvalid, $"The header is not valid JSON: {ex.Message}", 8);
            return false;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                context.Report(RuleIds.SafeTensorsHeaderInvalid, $"The header is a JSON {document.RootElement.ValueKind}, not an object.", 8);
                return false;
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    context.Report(RuleIds.SafeTensorsHeaderInvalid, $"Key '{property.Name}' appears twice; parsers disagree about which one counts.", 8, property.Name);
                    continue;
                }

                if (property.Name == "__metadata__")
                {
                    ReadMetadata(property.Value, context);
                }
                else if (ReadTensor(property, context) is { } tensor)
                {
                    tensors.Add(tensor);
                }
            }
        }

        return true;
    }

    private static void ReadMetadata(JsonElement metadata, ScanContext context)
    {
        if (metadata.ValueKind != JsonValueKind.Object)
        {
            context.Report(RuleIds.SafeTensorsHeaderInvalid, "__metadata__ is not an object of strings.", 8, "__metadata__");
            return;
        }

        foreach (JsonProperty entry in metadata.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                context.Report(RuleIds.SafeTensorsHeaderInvalid,
                    $"__metadata__ value '{entry.Name}' is a {entry.Value.ValueKind}; the format allows strings only.", 8, entry.Name);
                continue;
            }

            context.Analyze(new ContentFragment(entry.Value.GetString()!, "__metadata__." + entry.Name, ContentKind.Metadata, 8));
        }
    }

    private static TensorEntry? ReadTensor(JsonProperty property, ScanContext context)
    {
        string name = property.Name;
        JsonElement value = property.Value;
        if (value.ValueKind != JsonValueKind.Object)
        {
            context.Report(RuleIds.SafeTensorsHeaderInvalid, $"Tensor '{name}' is not an object.", 8, name);
            return null;
        }

        string? dtype = null;
        List<ulong>? shape = null;
        (ulong Begin, ulong End)? offsets = null;
        foreach (JsonProperty field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when field.Value.ValueKind == JsonValueKind.String:
                    dtype = field.Value.GetString();
                    break;
                case "shape":
                    shape = ReadUInts(field.Value);
                    break;
                case "data_offsets":
                    offsets = ReadUInts(field.Value) is [var begin, var end] ? (begin, end) : null;
                    break;
                default:
                    context.Report(RuleIds.SafeTensorsUnexpectedKey, $"Tensor '{name}' has an unexpected key '{field.Name}'.", 8, field.Name);
                    break;
            }
        }

        if (dtype is null || shape is null || offsets is null || offsets.Value.Begin > offsets.Value.End)
        {
            context.Report(RuleIds.SafeTensorsHeaderInvalid,
                $"Tensor '{name}' lacks a valid dtype, shape or data_offsets [begin, end].", 8, name);
            return null;
        }

        int? bits = SafeTensorsDtype.Bits(dtype);
        if (bits is null)
        {
            context.Report(RuleIds.SafeTensorsUnknownDtype, $"Tensor '{name}' has an unknown dtype '{dtype}'; its size cannot be checked.", 8, dtype);
        }
        else if (ExpectedBytes(shape, bits.Value) is not { } expected || expected != offsets.Value.End - offsets.Value.Begin)
        {
            context.Report(RuleIds.SafeTensorsSizeMismatch,
                $"Tensor '{name}' is {dtype}[{string.Join(",", shape)}] but spans {offsets.Value.End - offsets.Value.Begin:N0} bytes.", 8, name);
        }

        return new TensorEntry(name, dtype, shape, offsets.Value.Begin, offsets.Value.End);
    }

    private static ulong? ExpectedBytes(List<ulong> shape, int bits)
    {
        try
        {
            ulong elements = 1;
            foreach (ulong d in shape)
            {
                elements = checked(elements * d);
            }

            ulong totalBits = checked(elements * (ulong)bits);
            return totalBits % 8 == 0 ? totalBits / 8 : null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static List<ulong>? ReadUInts(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var values = new List<ulong>();
        foreach (JsonElement item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetUInt64(out ulong v))
            {
                return null;
            }

            values.Add(v);
        }

        return values;
    }

    private static void CheckLayout(List<TensorEntry> tensors, long dataLength, long dataStart, ScanContext context)
    {
        ulong expectedNext = 0;
        TensorEntry? previous = null;
        foreach (TensorEntry t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End).ThenBy(t => t.Name, StringComparer.Ordinal))
        {
            if (dataLength >= 0 && t.End > (ulong)dataLength)
            {
                context.Report(RuleIds.SafeTensorsOutOfBounds,
                    $"Tensor '{t.Name}' ends at data offset {t.End:N0}, past the {dataLength:N0} bytes of data (truncated or crafted).",
                    dataStart + Clamp(t.Begin), t.Name);
            }

            if (t.Begin < expectedNext && previous is not null)
            {
                context.Report(RuleIds.SafeTensorsOverlap,
                    $"Tensors '{previous.Name}' and '{t.Name}' overlap at data offset {t.Begin:N0}.", dataStart + Clamp(t.Begin), t.Name);
            }
            else if (t.Begin > expectedNext)
            {
                context.Report(RuleIds.SafeTensorsHiddenData,
                    $"{t.Begin - expectedNext:N0} bytes before tensor '{t.Name}' belong to no tensor.", dataStart + Clamp(expectedNext), t.Name);
            }

            if (t.End > expectedNext)
            {
                expectedNext = t.End;
            }

            previous = t;
        }

        if (dataLength >= 0 && expectedNext < (ulong)dataLength)
        {
            context.Report(RuleIds.SafeTensorsHiddenData,
                $"{(ulong)dataLength - expectedNext:N0} bytes after the last tensor belong to no tensor.", dataStart + Clamp(expectedNext), "trailing data");
        }
    }

    // Offsets come from the header and may be absurd; findings still need a long offset.
    private static long Clamp(ulong value) => (long)Math.Min(value, (ulong)long.MaxValue / 2);

    private static void ReportRegions(List<TensorEntry> tensors, long dataStart, ScanContext context)
    {
        foreach (TensorEntry t in tensors)
        {
            if (t.Shape.All(d => d <= long.MaxValue))
            {
                context.ReportTensor(new TensorRegion(t.Name, t.DType, t.Shape.Select(d => (long)d).ToArray(),
                    dataStart + Clamp(t.Begin), Clamp(t.End - t.Begin)));
            }
        }
    }

    private sealed record TensorEntry(string Name, string DType, List<ulong> Shape, ulong Begin, ulong End);
}
