using ModelAudit.Engine.Formats.Keras;
using ModelAudit.Engine.Formats.Nemo;
using ModelAudit.Engine.Formats.Skops;
using ModelAudit.Engine.Formats.TorchServe;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Containers;

/// <summary>The archive layouts the zip and tar scanners try, in order; adding one is one line here.</summary>
internal static class ArchiveLayouts
{
    public static IReadOnlyList<IArchiveLayout> All { get; } = new IArchiveLayout[]
    {
        new KerasArchiveLayout(),
        new NemoArchiveLayout(),
        new SkopsArchiveLayout(),
        new MarArchiveLayout(),
    };

    /// <summary>The first layout that recognises the archive, or null.</summary>
    public static IArchiveLayout? Find(string archiveName, IReadOnlyCollection<string> memberNames) =>
        All.FirstOrDefault(l => l.Recognizes(archiveName, memberNames));

    /// <summary>Reads a wanted member whole. Manifests and configs are small; one past
    /// <see cref="ScanLimits.MaxHeaderBytes"/> is not read (its layout checks are incomplete: Inconclusive).</summary>
    public static byte[]? ReadMember(Stream data, long? length, string name, ScanContext memberContext)
    {
        int limit = memberContext.Limits.MaxHeaderBytes;
        if (length > limit)
        {
            memberContext.ReportInconclusive(RuleIds.LimitExceeded,
                $"'{name}' is {length:N0} bytes, over the {limit:N0} read for archive manifests (MaxHeaderBytes); its layout checks were skipped.",
                0, nameof(ScanLimits.MaxHeaderBytes));
            return null;
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int read;
        while ((read = data.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                memberContext.ReportInconclusive(RuleIds.LimitExceeded,
                    $"'{name}' expands past the {limit:N0} bytes read for archive manifests (MaxHeaderBytes); its layout checks were skipped.",
                    0, nameof(ScanLimits.MaxHeaderBytes));
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
