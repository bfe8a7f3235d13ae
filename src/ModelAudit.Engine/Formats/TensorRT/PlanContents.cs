namespace ModelAudit.Engine.Formats.TensorRT;

/// <summary>What <see cref="PlanContentSearch"/> found in a plan's bytes: host executable images (listed up to a
/// cap, all counted), CUDA device images (counted), and the plugin and library names the plan stores as text, each
/// with the offset of its first occurrence, in ordinal order.</summary>
internal sealed class PlanContents
{
    public List<NativeImage> HostImages { get; } = new();

    public int HostImageCount { get; set; }

    public int DeviceImageCount { get; set; }

    public SortedDictionary<string, long> PluginNames { get; } = new(StringComparer.Ordinal);

    public int PluginNamesNotKept { get; set; }

    public SortedDictionary<string, long> LibraryNames { get; } = new(StringComparer.Ordinal);

    public int LibraryNamesNotKept { get; set; }
}
