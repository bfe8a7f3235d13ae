using System.Buffers.Binary;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.FlatBuffers;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.CatBoost;

/// <summary>
/// CatBoost <c>.cbm</c> models: the "CBM1" descriptor, a u32 core size, the core flatbuffer
/// (<c>TModelCore</c> of model.fbs: FormatVersion = 0, ModelTrees = 1, InfoMap = 2, ModelPartIds = 3), then the
/// serialized parts the core lists (CTR tables). The core's bounds and tables are checked, InfoMap strings
/// (training params, version info) go to the analyzers, and bytes after the core with no part listed are reported.
/// </summary>
internal sealed class CatBoostScanner : IFormatScanner
{
    // Strings kept per InfoMap value: training params are a few kilobytes of JSON.
    private const int MaxStringBytes = 1 << 20;

    // InfoMap entries walked; CatBoost writes a dozen.
    private const int MaxInfoEntries = 100_000;

    public ScannerInfo Info { get; } = new("catboost", "CatBoost", new[] { CatBoostFormats.CatBoost });

    public Reading? Sniff(SniffInput input) =>
        input.Head.AsSpan().StartsWith("CBM1"u8) ? new Reading(CatBoostFormats.CatBoost, this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        Stream stream = SeekableCopy.Of(input.Stream, "CatBoost model", context);
        long length = stream.Length;
        if (length < 8)
        {
            context.Report(RuleIds.CatBoostStructureInvalid, "The file ends before the core size.", 0);
            return;
        }

        Span<byte> header = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadAtMost(header);
        uint coreSize = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (coreSize < 8 || coreSize > length - 8)
        {
            context.Report(RuleIds.CatBoostStructureInvalid,
                $"The core section claims {coreSize:N0} bytes; the file has {length - 8:N0} after the header.", 4, coreSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        var fb = new FlatBufferReader(stream, 8, coreSize);
        long core = fb.Root();
        string? version = fb.StringField(core, 0, 256);
        if (string.IsNullOrEmpty(version) || fb.Field(core, 1) is null)
        {
            context.Report(RuleIds.CatBoostStructureInvalid, "The core has no format version or no model trees.", 8, "TModelCore");
        }

        ReadInfoMap(fb, core, context);
        int parts = fb.Reference(core, 3, "ModelPartIds") is { } ids ? fb.VectorLength(ids, 4, "ModelPartIds") : 0;
        long after = 8L + coreSize;
        if (parts == 0 && after < length)
        {
            context.Report(RuleIds.CatBoostStructureInvalid,
                $"{length - after:N0} bytes follow the core, but the core lists no model parts to own them.", after, "trailing data");
        }
        else if (parts > 0 && after == length)
        {
            context.Report(RuleIds.CatBoostStructureInvalid, $"The core lists {parts} model parts, but the file ends with the core (truncated).", after, "ModelPartIds");
        }
    }

    // TKeyValue { Key: string = 0; Value: string = 1 }.
    private static void ReadInfoMap(FlatBufferReader fb, long core, ScanContext context)
    {
        if (fb.Reference(core, 2, "InfoMap") is not { } map)
        {
            return;
        }

        int count = fb.VectorLength(map, 4, "InfoMap");
        if (count > MaxInfoEntries)
        {
            throw new ScanLimitExceededException("CatBoost info entries", $"The InfoMap has {count:N0} entries; more than {MaxInfoEntries:N0} are not walked.");
        }

        for (int i = 0; i < count; i++)
        {
            long entry = fb.TableAt(map, i, "InfoMap entry");
            string key = fb.StringField(entry, 0, 4096) ?? $"#{i}";
            if (fb.StringField(entry, 1, MaxStringBytes) is { Length: > 0 } value)
            {
                context.Analyze(new ContentFragment(value, "InfoMap." + key, ContentKind.Metadata));
            }
        }
    }
}
