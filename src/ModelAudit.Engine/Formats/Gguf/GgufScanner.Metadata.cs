using System.Globalization;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Gguf;

internal sealed partial class GgufScanner
{
    private const string AlignmentKey = "general.alignment";

    private static void ReadMetadata(GgufReader reader, GgufHeader header, ulong keyCount, ScanContext context)
    {
        for (ulong i = 0; i < keyCount; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            long keyOffset = reader.Offset;
            string key = ReadString(reader, header, "a metadata key", context) ?? $"(key {i})";
            if (!header.Keys.Add(key))
            {
                context.Report(RuleIds.GgufDuplicateKey, $"Metadata key '{key}' appears more than once; llama.cpp rejects the file and other readers disagree about which value counts.",
                    keyOffset, key);
            }

            long typeOffset = reader.Offset;
            uint type = reader.U32();
            if (key == AlignmentKey)
            {
                ReadAlignment(reader, header, type, typeOffset, context);
                continue;
            }

            ReadValue(reader, header, type, key, key, 0, typeOffset, context);
        }
    }

    // llama.cpp reads general.alignment with gguf_get_val_u32, which aborts on any other type, then requires a
    // non-zero power of two.
    private static void ReadAlignment(GgufReader reader, GgufHeader header, uint type, long offset, ScanContext context)
    {
        if (type != (uint)GgufValueType.UInt32)
        {
            context.Report(RuleIds.GgufAlignmentInvalid, $"{AlignmentKey} has value type {TypeName(type)}, not uint32.", offset, TypeName(type));
            ReadValue(reader, header, type, AlignmentKey, AlignmentKey, 0, offset, context);
            return;
        }

        uint alignment = reader.U32();
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        {
            context.Report(RuleIds.GgufAlignmentInvalid, $"{AlignmentKey} is {alignment}, not a non-zero power of two.", offset,
                alignment.ToString(CultureInfo.InvariantCulture));
            return;
        }

        header.Alignment = alignment;
    }

    private static void ReadValue(GgufReader reader, GgufHeader header, uint type, string key, string path, int depth, long offset, ScanContext context)
    {
        if (FixedSize(type, header.Version) is { } size)
        {
            reader.Skip(size, $"the value of '{path}'");
            return;
        }

        if (type == (uint)GgufValueType.String)
        {
            long at = reader.Offset;
            if (ReadString(reader, header, $"the value of '{path}'", context) is { } text)
            {
                Hand(text, key, path, at, context);
            }

            return;
        }

        if (type != (uint)GgufValueType.Array)
        {
            throw new GgufInvalidException($"'{path}' has unknown value type {type}; nothing after it can be located.", offset, TypeName(type));
        }

        if (depth >= MaxArrayNesting)
        {
            throw new GgufInvalidException($"'{path}' nests arrays more than {MaxArrayNesting} deep.", offset, path);
        }

        uint elementType = reader.U32();
        ulong count = header.Version == 1 ? reader.U32() : reader.U64();
        if (FixedSize(elementType, header.Version) is { } elementSize)
        {
            if (count > ulong.MaxValue / elementSize)
            {
                throw new GgufInvalidException($"Array '{path}' declares {count:N0} elements, more than any file holds.", offset, count.ToString(CultureInfo.InvariantCulture));
            }

            reader.Skip(count * elementSize, $"array '{path}'");
            return;
        }

        // Each string or array element takes at least its length field: a count past the file is crafted.
        reader.Require(count > ulong.MaxValue / 8 ? ulong.MaxValue : count * (header.Version == 1 ? 4UL : 8UL), $"array '{path}' of {count:N0} elements");
        bool vocabulary = IsVocabulary(key);
        for (ulong i = 0; i < count; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            string element = path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            if (elementType == (uint)GgufValueType.String && vocabulary)
            {
                ulong length = header.Version == 1 ? reader.U32() : reader.U64();
                reader.Skip(length, $"'{element}'");
                continue;
            }

            ReadValue(reader, header, elementType, key, element, depth + 1, reader.Offset, context);
        }
    }

    /// <summary>
    /// The tokenizer vocabulary (tokenizer.ggml.tokens, .merges and any other string array under tokenizer.ggml.) is
    /// data: hundreds of thousands of short strings that llama.cpp only ever compares and copies as token bytes, never
    /// renders or runs. Handing each one to the analyzers would flood them (a URL-shaped token is not a URL anyone
    /// fetches) and cost more than the rest of the scan, so they are skipped by length without being decoded.
    /// </summary>
    private static bool IsVocabulary(string key) => key.StartsWith("tokenizer.ggml.", StringComparison.Ordinal);

    // tokenizer.chat_template and the named templates tokenizer.chat_template.<name> are Jinja templates that
    // llama.cpp and llama-cpp-python render; everything else is metadata text.
    private static void Hand(string text, string key, string path, long offset, ScanContext context)
    {
        bool template = key == "tokenizer.chat_template" || key.StartsWith("tokenizer.chat_template.", StringComparison.Ordinal);
        context.Analyze(new ContentFragment(text, path, template ? ContentKind.ChatTemplate : ContentKind.Metadata, offset));
    }

    /// <summary>Reads a GGUF string; null (and an Inconclusive finding) when it is longer than the header budget,
    /// in which case it is skipped by length.</summary>
    private static string? ReadString(GgufReader reader, GgufHeader header, string what, ScanContext context)
    {
        long at = reader.Offset;
        ulong length = header.Version == 1 ? reader.U32() : reader.U64();
        if (length > (ulong)context.Limits.MaxHeaderBytes)
        {
            reader.Require(length, what);
            context.ReportInconclusive(RuleIds.LimitExceeded,
                $"{what} is {length:N0} bytes, more than the {context.Limits.MaxHeaderBytes:N0}-byte budget; it was skipped, not analyzed.", at,
                nameof(ScanLimits.MaxHeaderBytes));
            reader.Skip(length, what);
            return null;
        }

        return reader.Text(length, what);
    }

    /// <summary>Bytes of a fixed-size value type; null for strings, arrays and unknown types. 64-bit types are v2+.</summary>
    private static ulong? FixedSize(uint type, uint version) => (GgufValueType)type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 when version >= 2 => 8,
        _ => null,
    };

    private static string TypeName(uint type) => Enum.IsDefined(typeof(GgufValueType), type) ? ((GgufValueType)type).ToString() : type.ToString(CultureInfo.InvariantCulture);
}
