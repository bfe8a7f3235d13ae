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
    // Containers whose members are stored as they are: a zip as their last member is content, not a second reading.
    private static readonly HashSet<ModelFormat> s_containers = new()
    {
        ModelFormat.Zip, ModelFormat.Tar, ModelFormat.SevenZip, ModelFormat.Gzip, ModelFormat.Bzip2, ModelFormat.Xz,
        ModelFormat.Zstd, ModelFormat.Lz4, ModelFormat.Zlib, ModelFormat.Lzma, ModelFormat.Empty,
    };

    public static void ScanOtherInterpretations(ScanContext context, ScanInput input, ScanEngine engine)
    {
        if (s_containers.Contains(input.Format) || input.Length is not > 22)
        {
            return;
        }

        Stream stream = input.Stream;
        long? endRecord = ZipDirectory.FindEndRecord(stream);
        if (endRecord is null || engine.Registry.ScannerFor(ModelFormat.Zip) is not ZipScanner zip)
        {
            return;
        }

        string saved = context.Scanner;
        context.Scanner = zip.Name;
        try
        {
            ZipDirectory directory = ZipDirectory.Read(stream, endRecord.Value, context);

            // A zip inside a pickle's own bytes is an argument of that pickle, analysed with it; only a zip after
            // the pickle is a second reading of the file.
            if (context.PickleEnd is { } pickleEnd && directory.BaseShift < pickleEnd)
            {
                return;
            }

            context.Report(RuleIds.Polyglot, $"The {input.Format} file is also a zip archive (end record at offset {endRecord}); the zip was scanned too.",
                endRecord, $"{input.Format}+Zip");
            zip.ScanEmbedded(stream, directory, context);
        }
        catch (Exception ex) when (ex is ModelFormatException or ScanLimitExceededException or EndOfStreamException or InvalidDataException)
        {
            context.ReportInconclusive(RuleIds.ParseError, $"The embedded zip could not be read: {ex.Message}", endRecord);
        }
        finally
        {
            context.Scanner = saved;
        }
    }
}
