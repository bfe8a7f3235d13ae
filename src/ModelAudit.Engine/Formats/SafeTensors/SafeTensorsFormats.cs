using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.SafeTensors;

internal static class SafeTensorsFormats
{
    public static ModelFormat SafeTensors { get; } = new("SafeTensors", "SafeTensors weights", FormatRisk.Data, ".safetensors");
}
