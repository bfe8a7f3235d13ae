namespace ModelAudit.Engine.Reporting;

/// <summary>The report writers, by format name.</summary>
public static class ReportWriters
{
    private static readonly IReportWriter[] s_writers = { new JsonReportWriter(), new SarifReportWriter(), new CycloneDxWriter() };

    /// <summary>Format names, in the order they are listed.</summary>
    public static IReadOnlyList<string> Formats { get; } = s_writers.Select(w => w.Format).ToArray();

    /// <summary>The writer for <paramref name="format"/> (case-insensitive); throws for an unknown format.</summary>
    public static IReportWriter For(string format) =>
        s_writers.FirstOrDefault(w => string.Equals(w.Format, format, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"'{format}' is not a report format ({string.Join(", ", Formats)}).", nameof(format));

    /// <summary>Writes <paramref name="report"/> in <paramref name="format"/> to a byte array.</summary>
    public static byte[] ToBytes(string format, ScanReport report)
    {
        using var buffer = new MemoryStream();
        For(format).Write(report, buffer);
        return buffer.ToArray();
    }
}
