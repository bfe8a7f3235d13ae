using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Pmml;

internal static class PmmlFormats
{
    public static ModelFormat Pmml { get; } = new("PMML", "Predictive Model Markup Language (XML)", FormatRisk.Data, ".pmml", ".xml");
}
