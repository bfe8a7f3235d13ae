using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.OpenVino;

internal static class OpenVinoFormats
{
    public static ModelFormat OpenVinoIr { get; } = new("OpenVINO", "OpenVINO IR network (.xml beside its .bin weights)", FormatRisk.Data, ".xml");

    /// <summary>The .bin beside an IR: its Const layers' weights, raw bytes at the offsets the IR gives.</summary>
    public static ModelFormat Weights { get; } = new("OpenVinoWeights", "Weights of an OpenVINO IR (.bin)", FormatRisk.Data, ".bin");
}
