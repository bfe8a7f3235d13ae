using System.Text;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Flax;

/// <summary>
/// Flax/JAX MessagePack checkpoints (<c>flax.serialization.to_bytes</c>, <c>flax_model.msgpack</c>): a map of
/// parameter names to nested maps and arrays (ext type 1 = ndarray). Walked with our own bounded reader: array
/// payloads are skipped by length, keys that belong to Python's object protocol are reported, a bin value that is
/// a pickle goes to the pickle engine, strings go to the analyzers, and bytes after the root are reported.
/// </summary>
internal sealed class FlaxMsgpackScanner : IFormatScanner
{
    // Flax parameter trees nest a dozen levels; far deeper nesting is only there to exhaust a recursive parser.
    private const int MaxDepth = 128;

    // With the length unknown (a compressed member) element counts cannot be checked against what remains.
    private const long MaxElementsUnknownLength = 100_000_000;

    // Keys read whole for the object-protocol check; parameter names are short.
    private const int MaxKeyBytes = 1 << 12;

    // String values read for the analyzers.
    private const int MaxStringBytes = 1 << 20;

    public ScannerInfo Info { get; } = new("flax", "Flax/JAX msgpack", new[] { FlaxFormats.FlaxMsgpack });

    // MessagePack has no magic: a map whose first key is a string, under a Flax checkpoint name.
    public Reading? Sniff(SniffInput input)
    {
        ReadOnlySpan<byte> h = input.Head;
        bool map = h.Length >= 2 && (h[0] is >= 0x80 and <= 0x8F || h[0] is 0xDE or 0xDF);
        int keyAt = h.Length == 0 ? 0 : h[0] switch { 0xDE => 3, 0xDF => 5, _ => 1 };
        bool stringKey = keyAt < h.Length && (h[keyAt] is >= 0xA0 and <= 0xBF || h[keyAt] is 0xD9 or 0xDA or 0xDB);
        string ext = Path.GetExtension(input.Name);
        bool named = FlaxFormats.FlaxMsgpack.Extensions.Contains(ext, StringComparer.OrdinalIgnoreCase)
            || Path.GetFileName(input.Name).StartsWith("checkpoint", StringComparison.OrdinalIgnoreCase);
        return map && stringKey && named ? new Reading(FlaxFormats.FlaxMsgpack, this, ReadingStrength.Plausible) : null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        var reader = new MsgpackReader(input.Stream, input.Length);
        byte root = reader.ReadByte();
        if (!(root is >= 0x80 and <= 0x8F || root is 0xDE or 0xDF))
        {
            context.Report(RuleIds.MsgpackStructureInvalid, "The checkpoint's root is not a map of parameters.", 0);
        }

        Value(reader, root, 0, "", context);
        if (!reader.AtEnd)
        {
            context.Report(RuleIds.MsgpackStructureInvalid,
                $"Bytes follow the root object at offset {reader.Position:N0}; flax.serialization ignores them.", reader.Position, "trailing data");
        }
    }

    private static void Value(MsgpackReader reader, byte marker, int depth, string path, ScanContext context)
    {
        if (depth > MaxDepth)
        {
            throw new ScanLimitExceededException("msgpack depth", $"The checkpoint nests deeper than {MaxDepth} levels at '{path}'.", reader.Position);
        }

        switch (marker)
        {
            case <= 0x7F or >= 0xE0 or 0xC0 or 0xC2 or 0xC3:
                return;
            case >= 0x80 and <= 0x8F:
                Map(reader, marker & 0x0F, depth, path, context);
                return;
            case >= 0x90 and <= 0x9F:
                Array(reader, marker & 0x0F, depth, path, context);
                return;
            case >= 0xA0 and <= 0xBF:
                Text(reader, marker & 0x1F, path, context);
                return;
            case 0xC4 or 0xC5 or 0xC6:
                Binary(reader, (long)reader.ReadBigEndian(1 << (marker - 0xC4)), path, context);
                return;
            case 0xC7 or 0xC8 or 0xC9:
                long extLength = (long)reader.ReadBigEndian(1 << (marker - 0xC7));
                reader.ReadByte(); // ext type: 1 ndarray, 2 complex, 3 numpy scalar; their payloads are array data.
                reader.Skip(extLength);
                return;
            case 0xCA:
                reader.Skip(4);
                return;
            case 0xCB:
                reader.Skip(8);
                return;
            case >= 0xCC and <= 0xCF:
                reader.Skip(1 << (marker - 0xCC));
                return;
            case >= 0xD0 and <= 0xD3:
                reader.Skip(1 << (marker - 0xD0));
                return;
            case >= 0xD4 and <= 0xD8:
                reader.Skip(1 + (1 << (marker - 0xD4)));
                return;
            case 0xD9 or 0xDA or 0xDB:
                Text(reader, (long)reader.ReadBigEndian(1 << (marker - 0xD9)), path, context);
                return;
            case 0xDC or 0xDD:
                Array(reader, (long)reader.ReadBigEndian(marker == 0xDC ? 2 : 4), depth, path, context);
                return;
            case 0xDE or 0xDF:
                Map(reader, (long)reader.ReadBigEndian(marker == 0xDE ? 2 : 4), depth, path, context);
                return;
            default:
                throw new ModelFormatException($"Byte 0x{marker:X2} at {reader.Position - 1:N0} is not a MessagePack marker.", reader.Position - 1);
        }
    }

    private static void Map(MsgpackReader reader, long count, int depth, string path, ScanContext context)
    {
        CheckCount(reader, checked(count * 2), path);
        for (long i = 0; i < count; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            byte keyMarker = reader.ReadByte();
            string? key = Key(reader, keyMarker);
            if (key is null)
            {
                Value(reader, keyMarker, depth + 1, path, context);
                key = $"#{i}";
            }
            else if (ObjectProtocolKeys.Contains(key))
            {
                context.Report(RuleIds.CheckpointObjectProtocolKey,
                    $"Key '{key}' at '{path}' belongs to Python's object protocol; Flax checkpoints hold only parameter trees.", reader.Position, Join(path, key));
            }

            Value(reader, reader.ReadByte(), depth + 1, Join(path, key), context);
        }
    }

    private static void Array(MsgpackReader reader, long count, int depth, string path, ScanContext context)
    {
        CheckCount(reader, count, path);
        for (long i = 0; i < count; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            Value(reader, reader.ReadByte(), depth + 1, $"{path}[{i}]", context);
        }
    }

    // A string key of at most MaxKeyBytes; null for other key types (read by the caller as a value).
    private static string? Key(MsgpackReader reader, byte marker)
    {
        long length = marker switch
        {
            >= 0xA0 and <= 0xBF => marker & 0x1F,
            0xD9 or 0xDA or 0xDB => (long)reader.ReadBigEndian(1 << (marker - 0xD9)),
            _ => -1,
        };
        if (length < 0)
        {
            return null;
        }

        if (length > MaxKeyBytes)
        {
            reader.Skip(length);
            return "(long key)";
        }

        return Encoding.UTF8.GetString(reader.ReadBytes((int)length));
    }

    private static void Text(MsgpackReader reader, long length, string path, ScanContext context)
    {
        if (length > MaxStringBytes)
        {
            reader.Skip(length);
            return;
        }

        long offset = reader.Position;
        string text = Encoding.UTF8.GetString(reader.ReadBytes((int)length));
        if (text.Length > 0)
        {
            context.Analyze(new ContentFragment(text, path, ContentKind.Metadata, offset));
        }
    }

    // Array bytes are skipped; a bin that starts like a pickle (PROTO 2–5) is read and scanned as one.
    private static void Binary(MsgpackReader reader, long length, string path, ScanContext context)
    {
        if (length < 2)
        {
            reader.Skip(length);
            return;
        }

        long offset = reader.Position;
        byte[] head = reader.ReadBytes(2);
        if (head[0] != 0x80 || head[1] is < 2 or > 5 || length > context.Limits.MaxPickleInlineBytes)
        {
            reader.Skip(length - 2);
            return;
        }

        byte[] pickle = new byte[length];
        head.CopyTo(pickle, 0);
        reader.ReadBytes((int)length - 2).CopyTo(pickle, 2);
        context.Report(RuleIds.EmbeddedPickle, $"The bytes at '{path}' are a pickle; it was scanned.", offset, path);
        context.ScanChild(path.Length > 0 ? path : "bin", new MemoryStream(pickle, writable: false), length);
    }

    // Every element takes at least one byte, so a count beyond the bytes left is a lie told to make a parser allocate.
    private static void CheckCount(MsgpackReader reader, long elements, string path)
    {
        long bound = reader.Length is { } total ? total - reader.Position : MaxElementsUnknownLength;
        if (elements > bound)
        {
            throw new ModelFormatException($"'{path}' claims {elements:N0} elements with {bound:N0} bytes left.", reader.Position);
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "/" + key;
}
