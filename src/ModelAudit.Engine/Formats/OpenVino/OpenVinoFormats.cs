using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.OpenVino;

internal static class OpenVinoFormats
{
    public static ModelFormat OpenVinoIr { get; } = new("OpenVINO", "OpenVINO IR network (.xml beside its .bin weights)", FormatRisk.Data, ".xml");
}
