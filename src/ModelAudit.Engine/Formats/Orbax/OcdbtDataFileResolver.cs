using System.Text.RegularExpressions;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Companion;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Orbax;

/// <summary>Attributes an OCDBT data file, <c>d/&lt;32 hex digits&gt;</c>, to the <c>manifest.ocdbt</c> of the database
/// folder above its <c>d/</c> folder, when that manifest has the OCDBT magic. The manifest's scan walks the tree into
/// the data file and checks every reference and value it reads.</summary>
internal sealed partial class OcdbtDataFileResolver : ICompanionResolver
{
    public ModelFormat Format => OrbaxFormats.Data;

    public bool MayClaim(string name) => DataFileName().IsMatch(Path.GetFileName(name));

    public CompanionClaim? Claim(string dataPath, ScanLimits limits, CancellationToken cancellationToken)
    {
        string? folder = Path.GetDirectoryName(dataPath);
        if (folder is null || Path.GetFileName(folder) != "d" || Path.GetDirectoryName(folder) is not { } database)
        {
            return null;
        }

        string manifest = Path.Combine(database, "manifest.ocdbt");
        try
        {
            if (!File.Exists(manifest))
            {
                return null;
            }

            using var stream = new FileStream(manifest, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            byte[] magic = new byte[4];
            return stream.Length >= OcdbtEnvelope.MinimumLength && stream.Read(magic) == 4 && OcdbtEnvelope.HasMagic(magic, OcdbtEnvelope.ManifestMagic)
                ? new CompanionClaim(manifest, Array.Empty<TensorRegion>())
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex("^[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex DataFileName();
}
