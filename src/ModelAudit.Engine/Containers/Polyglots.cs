using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Containers;

/// <summary>
/// A file can be valid as two formats at once — a pickle read from offset 0 and a zip found by its end record.
/// Loaders pick one interpretation, scanners another; every interpretation is scanned here.
/// </summary>
internal static class Polyglots
{
    public static void ScanOtherInterpretations(ScanContext context, Stream stream, IReadOnlyList<Reading> held, long? length)
    {
        // A zip (or anything holding members as they are) that ends with a zip holds it as content, not as a second reading.
        if (held.Any(r => r.Format.Risk == FormatRisk.Container) || length is not > ZipEndRecord.Size)
        {
            return;
        }

        ZipEndRecord? end = ZipEndRecord.Find(stream);
        if (end is null)
        {
            return;
        }

        ZipScanner zip = context.File.Engine.Registry.Get<ZipScanner>();
        ScanContext zipContext = context.With(f => f with { Scanner = zip.Info.Name });
        zipContext.Guarded("Zip", () =>
        {
            ZipDirectory directory = ZipDirectory.Read(stream, end, context.Limits);

            // A zip inside a pickle's own bytes (a bytes argument) is data to the unpickler, but zipfile.ZipFile
            // opens the file through the same end record, so its members are scanned either way. Only a zip after
            // the pickle is a second format of the file worth a polyglot finding.
            if (context.File.PickleEnd is { } pickleEnd && directory.BaseShift < pickleEnd)
            {
                zip.ScanEmbedded(stream, directory, zipContext);
                return;
            }

            string what = held.Count > 0 ? held[0].Format.Name : "unrecognised";
            zipContext.Report(RuleIds.Polyglot, $"The {what} file is also a zip archive (end record at offset {end.Offset}); the zip was scanned too.",
                end.Offset, $"{what}+Zip");
            zip.ScanEmbedded(stream, directory, zipContext);
        });
    }
}
