using System.Text;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.TensorRT;

/// <summary>
/// TensorRT engines (plans): the "ftrt" header (<see cref="TensorRtHeader"/>), optionally behind Ultralytics' JSON
/// prefix, then one bounded forward pass over every byte (<see cref="PlanContentSearch"/>). The plan's own records
/// are not public, so nothing is claimed from them; what the bytes do show is reported for what it is:
/// <list type="bullet">
/// <item>a host executable image (ELF, PE, Mach-O) inside the plan is native code TensorRT loads and runs when the
/// runtime allows host code — serialized plugin libraries (IBuilderConfig::setPluginsToSerialize) and the lean
/// runtime copied into version-compatible plans — Critical, with its offset and size (<see cref="RuleIds.TensorRtNativeCode"/>);</item>
/// <item>plugin names (NVIDIA's <c>Name_TRT</c> convention) and shared-library names stored as text: Info, since the
/// loading process supplies those plugins from its own registry; a bare ".so" or "python" string is never more.</item>
/// </list>
/// CUDA device images (ELF cubins, EM_CUDA) are GPU kernels every plan carries and are not reported.
/// </summary>
internal sealed class TensorRtScanner : IFormatScanner
{
    // Names listed in one message; the rest are counted.
    private const int NamesInMessage = 16;

    public ScannerInfo Info { get; } = new("tensorrt", "TensorRT", new[] { TensorRtFormats.Plan });

    public Reading? Sniff(SniffInput input)
    {
        ReadOnlySpan<byte> h = input.Head;
        if (h.StartsWith(TensorRtHeader.Magic))
        {
            return new Reading(TensorRtFormats.Plan, this, ReadingStrength.Structural);
        }

        if (UltralyticsPrefix.MetadataLength(h) is not { } metadata)
        {
            return null;
        }

        // The tag after the metadata is in the head for every real export; a longer prefix is checked by the scan.
        long plan = 4L + metadata;
        if (plan + 4 <= h.Length)
        {
            return h[(int)plan..].StartsWith(TensorRtHeader.Magic) ? new Reading(TensorRtFormats.Plan, this, ReadingStrength.Structural) : null;
        }

        return input.Length is { } length && plan + 4 > length ? null : new Reading(TensorRtFormats.Plan, this, ReadingStrength.Plausible);
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        Stream stream = input.Stream;
        long origin = 0;
        if (!input.Head.AsSpan().StartsWith(TensorRtHeader.Magic))
        {
            origin = ReadUltralyticsMetadata(stream, input, context);
        }

        byte[] header = new byte[TensorRtHeader.Size];
        int got = stream.ReadAtMost(header);
        if (got < 4 || !header.AsSpan().StartsWith(TensorRtHeader.Magic))
        {
            throw new NotThisFormatException("no TensorRT plan tag after the Ultralytics metadata");
        }

        if (got < TensorRtHeader.Size)
        {
            context.ReportInconclusive(RuleIds.TensorRtPlanUnreadable,
                $"The TensorRT plan has {got} of the {TensorRtHeader.Size} bytes of its header (truncated); nothing of it was scanned.", origin, "truncated header");
            return;
        }

        TensorRtHeader plan = TensorRtHeader.Read(header);
        PlanContents contents = PlanContentSearch.Search(stream, origin + TensorRtHeader.Size, context.CancellationToken);
        ReportNativeCode(contents, plan, input.Length, context);
        ReportNames(contents, context);
    }

    /// <summary>Reads the Ultralytics prefix, hands its JSON to the analyzers, and returns the plan's offset.</summary>
    private static long ReadUltralyticsMetadata(Stream stream, ScanInput input, ScanContext context)
    {
        int length = UltralyticsPrefix.MetadataLength(input.Head) ?? throw new NotThisFormatException("neither a plan tag nor Ultralytics metadata");
        byte[] prefix = new byte[4 + length];
        if (stream.ReadAtMost(prefix) < prefix.Length)
        {
            throw new NotThisFormatException("the Ultralytics metadata length runs past the end");
        }

        context.Analyze(new ContentFragment(Encoding.UTF8.GetString(prefix, 4, length), "Ultralytics metadata", ContentKind.Metadata, 4));
        return prefix.Length;
    }

    private static void ReportNativeCode(PlanContents contents, TensorRtHeader plan, long? length, ScanContext context)
    {
        string builtWith = plan.BuiltWith is { } version ? $" (built with TensorRT {version})" : "";
        foreach (NativeImage image in contents.HostImages)
        {
            string past = length is { } total && image.Size is { } size && image.Offset + size > total ? "; its header claims more bytes than the file has" : "";
            context.Report(RuleIds.TensorRtNativeCode,
                $"The TensorRT plan{builtWith} embeds a native {image.Describe()} at offset {image.Offset:N0}{past}. TensorRT loads code serialized into a plan (plugin libraries, the lean runtime of a version-compatible plan) and runs it in the loading process once host code is allowed (IRuntime::setEngineHostCodeAllowed).",
                image.Offset, image.Describe());
        }

        int unlisted = contents.HostImageCount - contents.HostImages.Count;
        if (unlisted > 0)
        {
            context.Report(RuleIds.TensorRtNativeCode,
                $"The TensorRT plan embeds {unlisted:N0} more native executable images than the {contents.HostImages.Count} listed.", null, $"{unlisted} more images");
        }
    }

    private static void ReportNames(PlanContents contents, ScanContext context)
    {
        if (contents.PluginNames.Count > 0)
        {
            context.Report(RuleIds.TensorRtPluginNames,
                $"The TensorRT plan names plugins the loading process must supply from its plugin registry (libnvinfer_plugin or a custom plugin library): {List(contents.PluginNames, contents.PluginNamesNotKept)}.",
                contents.PluginNames.Values.Min(), string.Join(", ", contents.PluginNames.Keys.Take(NamesInMessage)));
        }

        if (contents.LibraryNames.Count > 0)
        {
            context.Report(RuleIds.TensorRtLibraryNames,
                $"The TensorRT plan stores shared-library names as text: {List(contents.LibraryNames, contents.LibraryNamesNotKept)}. A name is not code; libraries the plan carries are reported as embedded images.",
                contents.LibraryNames.Values.Min(), string.Join(", ", contents.LibraryNames.Keys.Take(NamesInMessage)));
        }
    }

    private static string List(SortedDictionary<string, long> names, int notKept)
    {
        int more = names.Count - NamesInMessage + notKept;
        string shown = string.Join(", ", names.Keys.Take(NamesInMessage));
        return more > 0 ? $"{shown} and {more:N0} more" : shown;
    }
}
